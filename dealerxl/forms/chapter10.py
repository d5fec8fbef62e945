"""Chapter 10."""
FORMS = []

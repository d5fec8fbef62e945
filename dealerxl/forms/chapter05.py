"""Chapter 05."""
FORMS = []

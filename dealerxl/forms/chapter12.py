"""Chapter 12."""
FORMS = []

"""Chapter 01."""
FORMS = []

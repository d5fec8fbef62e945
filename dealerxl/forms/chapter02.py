"""Chapter 02."""
FORMS = []

"""Chapter 08."""
FORMS = []

"""Chapter 09."""
FORMS = []

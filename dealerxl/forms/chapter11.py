"""Chapter 11."""
FORMS = []

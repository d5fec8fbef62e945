"""Chapter 04."""
FORMS = []

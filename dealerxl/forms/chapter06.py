"""Chapter 06."""
FORMS = []

"""Chapter 07."""
FORMS = []

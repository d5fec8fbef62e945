"""The monthly report, the dealer statements, and their rendering to PDF and pictures."""

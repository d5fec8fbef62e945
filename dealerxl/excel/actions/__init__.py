"""Ribbon button handlers, one module per job; each registers itself with ``ribbon.button``."""

"""dealerxl: Python inside Excel for a dealer management department (經銷商管理部)."""

__version__ = "0.1.0"

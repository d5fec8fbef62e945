"""dealerxl.build"""

"""dealerxl.jobs"""

"""dealerxl.sample"""

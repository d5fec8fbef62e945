"""dealerxl.book"""

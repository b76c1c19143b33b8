"""Customers, contacts, interactions (跟进记录) and segments (客户群)."""

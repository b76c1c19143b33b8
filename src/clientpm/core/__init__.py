"""Shared foundation: base models, the audit trail, human codes, errors and pagination."""

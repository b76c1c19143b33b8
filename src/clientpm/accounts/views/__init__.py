"""HTML pages of the accounts app, one module per concern: the caller's own account, users, departments."""

"""Every write of the projects app, one module per concern. Import from the submodules.

Each function takes the acting user, validates across rows, runs in one transaction and leaves a
change record, so the web UI, API, admin, import and jobs all behave the same.
"""

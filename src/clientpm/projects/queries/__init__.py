"""Every read of the projects app, one module per concern. Import from the submodules."""

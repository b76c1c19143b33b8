"""Project forms, one module per concern."""

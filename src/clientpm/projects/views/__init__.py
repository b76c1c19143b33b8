"""Project pages, one module per concern (projects, goals, scope, team, records, templates)."""

"""Users, departments, roles and API tokens."""

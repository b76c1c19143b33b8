"""HTML pages of the customers app, one module per object: parse, call a service or query, render."""

"""Demo and first-run data: the bootstrap that `make run` calls and the `demo` data generator."""

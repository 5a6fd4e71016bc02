"""Exercise solutions, loaded into a notebook cell by ``%solution <name>``."""

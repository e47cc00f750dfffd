"""Pure logic: no I/O, no Qt."""

"""Built-in check types, one module each; importing a module registers its type."""

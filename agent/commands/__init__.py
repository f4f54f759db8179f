"""One module per ``dq-agent`` subcommand; each exposes ``register(subparsers)``."""

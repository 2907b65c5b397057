"""One module per output format; only the CLI imports them."""

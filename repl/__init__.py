"""allegiance's user interfaces: the interactive REPL and the one-shot command line."""

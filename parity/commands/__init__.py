"""One module per subcommand group; each holds its click command and its options."""

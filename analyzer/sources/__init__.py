"""The trees to read: working tree, git index, git revision, plain directory."""

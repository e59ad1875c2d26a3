"""Entry points: the command line, the pytest plugin and every other command.

Nothing outside this room imports from it."""

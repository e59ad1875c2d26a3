"""Errors a user can cause: each prints as one line and exits with code 2."""


class BoundcheckError(Exception):
    """Bad input: a malformed statement, an unknown name, an unusable store."""


class LoadError(BoundcheckError):
    """A conjecture file or statement id that cannot be loaded."""


class StoreError(BoundcheckError):
    """An evidence store that cannot be opened or written."""

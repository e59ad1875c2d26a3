"""boundcheck's verifiers: models, kernels, checking, statistics, store, CLI."""

__version__ = "0.1.0"

"""``python -m boundcheck`` is the ``boundcheck`` command."""

import sys

from boundcheck.verifiers.commands.cli import main

sys.exit(main())

"""`python -m digest` is the `digest` command."""

import sys

from .cli import main

sys.exit(main())

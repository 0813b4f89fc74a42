"""`python -m repl`: the same as the `allegiance` command."""

import sys

from .cli import main

sys.exit(main())

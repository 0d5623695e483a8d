"""``python -m orgabm``: the same as the ``orgabm`` command."""

import sys

from .cli.commands import main

sys.exit(main())

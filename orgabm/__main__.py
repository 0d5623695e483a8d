"""``python -m orgabm``: the same as the ``orgabm`` command."""

import sys

from .cli import main

sys.exit(main())

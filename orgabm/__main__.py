"""``python -m orgabm``: the same as the ``orgabm`` command."""

import sys

from .cli.main import main

sys.exit(main())

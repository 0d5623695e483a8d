"""``python -m orgabm.cli``: the same as the ``orgabm`` command."""

import sys

from .commands import main

sys.exit(main())

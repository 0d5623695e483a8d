"""``python -m orgabm.cli``: the same as the ``orgabm`` command."""

import sys

from .entry import main

sys.exit(main())

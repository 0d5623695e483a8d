"""``python -m orgabm.cli``: the same as the ``orgabm`` command."""

import sys

from .main import main

sys.exit(main())

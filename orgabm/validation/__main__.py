"""``python -m orgabm.validation``: the same as ``orgabm validate-suite``."""

import sys

from .suite import main

sys.exit(main())

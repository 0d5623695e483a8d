"""``python -m orgabm.teaching``: regenerate the teacher's notes in docs/teaching/."""

import sys

from .notes import main

sys.exit(main())

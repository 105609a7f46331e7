"""``python -m cli`` is ``regiokaart``."""

import sys

from cli import main

sys.exit(main())

"""``python -m extractor.cli …``: the same as the ``extractor`` command."""

import sys

from extractor.cli import main

sys.exit(main())

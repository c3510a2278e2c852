"""``python -m keras_wass train ...``."""

import sys

from keras_wass.cli import main

sys.exit(main())

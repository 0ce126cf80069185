"""`python -m bot` is the same as the `privacy-bot` console script."""
import sys

from bot.cli.main import main

sys.exit(main())

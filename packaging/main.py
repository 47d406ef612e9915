"""The bundle's entry point: the same ``earshot`` command as an installed package has."""

import sys

from earshot.cli import main

if __name__ == "__main__":
    sys.exit(main())

import sys

from newskit.cli import main

sys.exit(main())

import sys

from revue.cli.main import main

sys.exit(main())

import sys

from dealerxl.cli import main

sys.exit(main())

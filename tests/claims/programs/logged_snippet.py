"""Run a snippet with Python's logging on stderr ("<logger> <message>"): what urllib3 logs while the SDK sends.

    python logged_snippet.py PATH
"""

import logging
import runpy
import sys

logging.basicConfig(format="%(name)s %(message)s")
runpy.run_path(sys.argv[1], run_name="__main__")

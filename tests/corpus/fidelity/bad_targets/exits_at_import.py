"""A bad target: the module calls ``sys.exit(3)`` while it is being imported.

Class 10 (bad targets). Not a subject: loading it raises SystemExit(3), so a
verifier that imports it without care exits with status 3 (and prints
nothing), which a script could mistake for a verdict. The expected answer is
"bad input": one line naming the problem, exit status 2.

Today: verify exits with status 3 and prints nothing.
"""

import sys

NAME = "exits_at_import"
ORIGIN = "Written for the fidelity corpus: a module that exits during import."
BREAKS = {}

sys.exit(3)


def download_all(urls, fetch, limit):  # never reached
    return [fetch(url) for url in urls]

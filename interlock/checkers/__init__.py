"""The invariants, one pure function each: ``RunRecord -> Verdict``.

Each checker declares its invariant next to its code with ``@invariant`` (its name,
column header and place in the table); importing its module registers it. Adding
an invariant is adding a module here and importing it below, or, for a user's own,
declaring it with ``@invariant`` in their test file or subject module (and taking
it back with ``forget_invariant``). A subject's ``PROMISES`` change what some
invariants ask of it: ``max_in_flight`` its bound, ``ordered`` and ``fail_fast``
whether they judge it at all.
"""

from __future__ import annotations

from ._registry import CHECKERS, USER_ORDER, Checker, check_all, forget_invariant, invariant

# Imported for their registration (the table's order is each one's declared ``order``).
from ._in_flight import max_in_flight  # isort: skip
from ._lost import no_lost_results  # isort: skip
from ._duplicates import no_duplicates  # isort: skip
from ._errors_reported import errors_reported  # isort: skip
from ._deadlock import no_deadlock  # isort: skip
from ._shutdown import clean_shutdown  # isort: skip
from ._termination import terminates  # isort: skip
from ._crash import no_crash  # isort: skip
from ._ordered import ordered  # isort: skip
from ._fail_fast import fail_fast  # isort: skip
from ._conserving import work_conserving  # isort: skip

__all__ = [
    "CHECKERS",
    "USER_ORDER",
    "Checker",
    "check_all",
    "clean_shutdown",
    "errors_reported",
    "fail_fast",
    "forget_invariant",
    "invariant",
    "max_in_flight",
    "no_crash",
    "no_deadlock",
    "no_duplicates",
    "no_lost_results",
    "ordered",
    "terminates",
    "work_conserving",
]

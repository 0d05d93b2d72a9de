"""Small helpers the checkers share: how times, URL lists and "not judged" read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models import RunRecord
from ..models.events import FAIL, FINISH
from ..models.record import DEADLOCK, RAISED, SPIN, STEP_BUDGET, TIMEOUT

__all__ = [
    "at",
    "ended_urls",
    "judged_results",
    "not_returned",
    "plural",
    "url_list",
]

# A one-line message names at most this many URLs; evidence lines carry the rest.
MAX_NAMED = 10


def at(t: float) -> str:
    """A virtual time as every message writes it: ``2.000s``."""
    return f"{t:.3f}s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 URL``, ``2 URLs``; ``many`` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def url_list(urls: Sequence[str], limit: int = MAX_NAMED) -> str:
    """URLs separated by spaces, cut after ``limit`` with a count of the rest."""
    shown = " ".join(urls[:limit])
    rest = len(urls) - limit
    return f"{shown} ... (+{rest} more)" if rest > 0 else shown


def judged_results(record: RunRecord) -> bool:
    """Whether there are results to judge: download_all returned and they were collected."""
    return record.results is not None


def not_returned(record: RunRecord) -> str:
    """Why there are no results, for "not judged" messages: what the run did instead."""
    why = {
        DEADLOCK: "the run deadlocked",
        TIMEOUT: "the run ran out of its time budget",
        SPIN: "a thread spun without yielding",
        STEP_BUDGET: "the run ran out of scheduling steps",
    }.get(record.outcome)
    if record.crash is not None:
        why = f"it raised {record.crash.describe()}"
    elif record.outcome == RAISED:
        why = "it raised"
    elif why is None:
        why = f"the run ended with outcome {record.outcome!r} and no results"
    return f"download_all did not return ({why})"


def ended_urls(events: Iterable) -> int:
    """How many distinct URLs reached a finish or a failure."""
    return len({e.url for e in events if e.kind in (FINISH, FAIL)})

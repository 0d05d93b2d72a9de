"""Call a subject the same way under every runtime.

Both runtimes run ``call_subject`` inside their own world (a forked child with
real threads, or a controlled greenlet): it makes the fake downloader, calls
``download_all``, drains what it returns (a generator does its work only when
drained), and reduces every item to a ``ResultItem``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Crash, FakeDownloader, ResultItem, Scenario, classify_result
from ._frames import crash_where

__all__ = ["Aborted", "SubjectOutcome", "call_subject"]


class Aborted(BaseException):
    """Raised by a runtime inside subject code to end a run (hang, spin, budget).

    A ``BaseException`` so that the subject's ``except Exception`` does not swallow
    it; ``call_subject`` lets it through.
    """


@dataclass
class SubjectOutcome:
    results: tuple[ResultItem, ...] | None = None
    crash: Crash | None = None
    returned: bool = False
    items: list | None = None  # what download_all returned, before classify() reads it
    raised: tuple | None = None  # (exception, where) download_all raised, before classify()

    def classify(self, scenario: Scenario) -> None:
        """Reduce the returned items to ``results`` and what was raised to ``crash``
        (interlock's own work, which runs the subject's __repr__ and __str__: a runtime
        may do it outside the subject's world, where it is not timed as the subject's)."""
        if self.raised is not None:
            exc, where = self.raised
            self.crash = Crash.from_exception(exc, where=where)
            self.raised = None
        if self.items is not None:
            self.results = tuple(classify_result(item, scenario) for item in self.items)
            self.items = None


def call_subject(
    download_all: Callable,
    scenario: Scenario,
    downloader: FakeDownloader,
    outcome: SubjectOutcome,
    *,
    classify: bool = True,
) -> None:
    """Run ``download_all(urls, fetch, limit)`` to completion and fill ``outcome``.

    ``outcome`` is filled in place so a runtime that abandons the call midway
    still holds whatever was known. ``classify=False`` leaves the returned items
    for the caller to classify (``outcome.classify``) once it is out of the run.
    """
    try:
        returned = download_all(list(scenario.urls), downloader.fetch, scenario.limit)
        items = list(returned) if returned is not None else []
    except Aborted:
        raise
    except BaseException as exc:  # noqa: BLE001 - any exception is the subject's crash
        if getattr(exc, "_interlock_sigint", False) or not isinstance(
            exc, (Exception, SystemExit, KeyboardInterrupt, GeneratorExit)
        ):
            raise  # Ctrl-C, or a test timeout fired inside the run: not the subject's
        outcome.raised = (exc, crash_where(exc))
        if classify:
            outcome.classify(scenario)
        outcome.returned = False
        return
    if returned is None:
        outcome.crash = Crash(
            "TypeError", "download_all returned None; it must return one item per URL"
        )
        return
    outcome.items = items
    outcome.returned = True
    if classify:
        outcome.classify(scenario)

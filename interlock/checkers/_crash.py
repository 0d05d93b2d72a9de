"""``no_crash``: download_all raises nothing."""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.record import PROCESS_EXIT, RAISED
from ._common import plural
from ._registry import invariant

__all__ = ["no_crash"]

NAME = "no_crash"
# The common verdict, made once: a verdict is immutable, so every run can share it.
_RAISED_NOTHING = Verdict(NAME, True, "download_all raised nothing")


@invariant(NAME, column="crash", order=80, summary="download_all raises no exception")
def no_crash(record: RunRecord) -> Verdict:
    """Judged on the call itself. An exception that killed one of the subject's own
    threads is not a crash of download_all; it is named in the message of a holding
    verdict, since it usually explains a lost result or a hang found by another checker."""
    crash = record.crash
    if crash is None and record.outcome != RAISED:
        if not record.thread_errors:
            return _RAISED_NOTHING
        for error in record.thread_errors:
            if error.type == PROCESS_EXIT:  # os._exit in a thread it left: the run ended there
                message = f"{_RAISED_NOTHING.message} (but after it returned, {error.message})"
                return Verdict(NAME, True, message)
        first = record.thread_errors[0]
        where = f" in {first.thread}" if first.thread else ""
        message = (
            f"{_RAISED_NOTHING.message} (but {plural(len(record.thread_errors), 'thread')} "
            f"died of an uncaught exception, first{where}: {first.describe()})"
        )
        return Verdict(NAME, True, message)
    if crash is None:
        return Verdict(NAME, False, "download_all raised, but the runtime kept no exception")
    where = f" in {crash.thread}" if crash.thread else ""
    message = f"download_all raised {crash.describe()}{where}"
    evidence = tuple(line for line in crash.traceback.splitlines() if line.strip())
    return Verdict(NAME, False, message, evidence=evidence)

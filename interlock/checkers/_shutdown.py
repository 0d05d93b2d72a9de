"""``clean_shutdown``: when download_all returns, every thread it started ends on its own."""

from __future__ import annotations

from ..models import RunRecord, ThreadState, Verdict
from ._common import judged_results, not_returned, plural
from ._registry import invariant

__all__ = ["clean_shutdown"]

NAME = "clean_shutdown"
_NAMED = 3  # leftover threads named in the one-line message
# The common verdict, made once: a verdict is immutable, so every run can share it.
_ALL_ENDED = Verdict(NAME, True, "every thread ended")


@invariant(
    NAME,
    column="shutdown",
    order=60,
    summary="every thread download_all started has ended once it returns",
)
def clean_shutdown(record: RunRecord) -> Verdict:
    """``threads_at_end`` holds the subject's threads still alive once nothing more could
    happen after download_all returned. A non-daemon one keeps the process from exiting;
    a daemon one is leaked, holding what it holds until the interpreter kills it."""
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}")
    left = record.threads_at_end
    if not left:
        late = sum(t.alive for t in record.threads_at_return)
        if not late:
            return _ALL_ENDED
        message = (
            f"{_ALL_ENDED.message} ({plural(late, 'was', 'were')} still finishing when "
            "download_all returned)"
        )
        return Verdict(NAME, True, message)
    hangs = any(not t.daemon for t in left)
    consequence = (
        "the process would hang at exit" if hangs else "leaked until the interpreter exits"
    )
    named = ", ".join(_describe(t) for t in left[:_NAMED])
    more = f" and {len(left) - _NAMED} more" if len(left) > _NAMED else ""
    message = f"{named}{more}: {consequence}"
    evidence: list[str] = []
    for t in left:
        evidence.append(_describe(t))
        evidence += [f"  {line}" for line in t.stack]
    return Verdict(NAME, False, message, evidence=tuple(evidence))


def _describe(t: ThreadState) -> str:
    name = f"{t.name} (daemon)" if t.daemon else t.name
    what = f"blocked forever in {t.waiting_on}" if t.waiting_on else "still running"
    where = f" at {t.where}" if t.where else ""
    return f"{name} {what}{where}"

"""``fail_fast``: a subject that promises fail-fast (``PROMISES = {"fail_fast": True}``)
starts no new download once the first failure has been observed.

The record shows when the first download failed (its ``fail`` event, at virtual
time t), not when the subject's code saw it, so "observed" is defined from what
the record can tell:

- At t itself a start is allowed: in that instant another thread may be between
  its check and its start, or the failing thread may not have run since its
  fetch raised.
- At any later time, a start is a violation when the schedule let time pass only
  while no thread could run: the clock moved past t only after every thread, the
  failing one included, had run as far as it could, so the subject had seen the
  failure. A schedule that advanced the clock while a thread could run (a
  ``CLOCK`` decision) may have kept the failing thread from reacting: such a run
  is not judged (exploration runs fair ones too).
- Under a real clock (threads) reacting takes real time, so a start within
  ``NOISE_FACTOR`` times the longest download lateness after t counts as at t.

What the subject owes for the URLs it never started is judged elsewhere:
``no_lost_results`` and ``errors_reported`` ask nothing for them once a download
has failed. A subject that does not promise fail-fast always holds.
"""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.events import FAIL, START
from ..models.record import CLOCK
from ..models.subject import promises_of
from ._common import at, plural
from ._conserving import ABSOLUTE_EPSILON, NOISE_FACTOR, clock_lateness
from ._registry import invariant

__all__ = ["fail_fast"]

NAME = "fail_fast"
_NOT_PROMISED = Verdict(NAME, True, "not promised: the subject downloads every URL")
_NO_FAILURE = Verdict(NAME, True, "no download failed")
_EVIDENCE_LINES = 20


@invariant(
    NAME,
    column="fail-fast",
    order=84,
    summary="no download starts after the first failure is observed, when the subject promises it",
)
def fail_fast(record: RunRecord) -> Verdict:
    """The starts later than the first failure, on a fair schedule."""
    if not promises_of(record.subject).fail_fast:
        return _NOT_PROMISED
    events = record.trace.events
    first = next((e for e in events if e.kind == FAIL), None)
    if first is None:
        return _NO_FAILURE
    early = record.decisions.count(CLOCK)
    if early:
        message = (
            f"not judged: the schedule advanced the clock {plural(early, 'time')} while a "
            f"thread could run, so the subject may not have seen {first.url} fail"
        )
        return Verdict(NAME, True, message)
    late = clock_lateness(record)
    deadline = first.time + NOISE_FACTOR * (late[-1] if late else 0.0) + ABSOLUTE_EPSILON
    after = [e for e in events if e.kind == START and e.seq > first.seq and e.time > deadline]
    failed = f"{first.url} failed at t={at(first.time)}"
    if not after:
        return Verdict(NAME, True, f"no download started after {failed}")
    e = after[0]
    message = (
        f"{plural(len(after), 'download')} started after {failed}: first {e.url} at "
        f"t={at(e.time)} by {e.thread} (the subject promises fail-fast)"
    )
    evidence = [f"{failed} in {first.thread}; started later:"]
    evidence += [f"  {s.url} at t={at(s.time)} by {s.thread}" for s in after[:_EVIDENCE_LINES]]
    if len(after) > _EVIDENCE_LINES:
        evidence.append(f"  ... and {len(after) - _EVIDENCE_LINES} more")
    return Verdict(NAME, False, message, evidence=tuple(evidence))

"""How a run went, step by step, as a reviewer reads it: what each thread did, where.

A ``Story`` is made by replaying a violation's schedule under observation (the
controlled runtime's ``observe``): one ``Step`` per thing a thread did that a
reader follows (it started a thread, blocked, woke, started or ended a
download, ended), each with the subject's own file:line, and the state of every
thread at each download event, so that the moment of a violation can be told in
words. It is plain data: renderers read it and run nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import ThreadState

__all__ = ["Step", "Story"]


@dataclass(frozen=True)
class Step:
    """One thing one thread did. ``kind`` is one of ``STEP_KINDS``; ``seq`` is the
    download event's sequence number for the download kinds, else None."""

    time: float
    thread: str
    kind: str
    what: str  # "Queue.put", "u3", "FileGetter-4": the operation, URL or thread involved
    where: str | None  # the subject's own file:line in function
    in_flight: int
    seq: int | None = None

    def describe(self) -> str:
        at = f" at {self.where}" if self.where else ""
        text = {
            "start": f"starts downloading {self.what}",
            "finish": f"finishes downloading {self.what}",
            "fail": f"fails downloading {self.what}",
            "unknown": f"asks for an unknown URL {self.what}",
            "spawn": f"starts thread {self.what}",
            "block": f"blocks in {self.what}",
            "wake": f"goes on after {self.what}",
            "end": "ends",
        }.get(self.kind, f"{self.kind} {self.what}")
        return f"{self.thread} {text}{at}"


STEP_KINDS = ("start", "finish", "fail", "unknown", "spawn", "block", "wake", "end")


@dataclass(frozen=True)
class Story:
    """The steps of one run, and every thread's state at each download event (by seq)."""

    steps: tuple[Step, ...]
    at_event: dict[int, tuple[ThreadState, ...]]

    def threads_at(self, seq: int) -> tuple[ThreadState, ...]:
        return self.at_event.get(seq, ())

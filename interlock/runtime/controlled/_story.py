"""A run replayed under observation: the ``Story`` of what each thread did, and where.

Only the run a report explains is observed, so nothing here is on the hot path:
for that one replay the engine's scheduling point is wrapped (an instance
attribute over the class's method, removed afterwards) and the fake downloader
is one that notes, at each download event, where every thread is.

A step is noted when a thread blocks (at the subject's line, in which modelled
wait, on what), goes on after a block, starts a thread, starts or ends a
download, or ends. Every other scheduling point (a lock taken without waiting,
a ``put`` into a queue with room) is passed over: a reader follows the waits.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace

from ...models import FakeDownloader, ThreadState
from ...models.events import FAIL, FINISH, START
from ...models.story import Step, Story
from . import _report
from ._engine import Engine

__all__ = ["Observer"]


def label(th) -> str:
    """A thread's name as a reader knows it: a Thread subclass adds its class, as
    CPython adds a target's name ("Thread-3 (FileGetter)", "Thread-1 (producer)")."""
    obj = th.obj
    cls = type(obj).__name__ if obj is not None else None
    if cls is None or type(obj) is threading.Thread or cls in th.name or "(" in th.name:
        return th.name
    return f"{th.name} ({cls})"


class Observer:
    """Notes the steps of one run; ``story()`` once it is over."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.steps: list[Step] = []
        self.at_event: dict[int, tuple[ThreadState, ...]] = {}
        self._in_flight = 0
        self._blocked_in: dict[int, tuple[str, str | None]] = {}  # tid -> (wait, where)
        self._seen: set[int] = set()
        self._ended: set[int] = set()

    # -- installing ----------------------------------------------------------------

    def install(self) -> None:
        engine = self.engine

        def observed(th, can_continue=True):
            if th is not None and not engine.aborting:
                self._point(th, sys._getframe(1))
            else:
                self._note_changes(None, None)
            return Engine._schedule(engine, th, can_continue)

        engine._schedule = observed  # the block path and thread ends call it
        engine.point = observed  # primitives call it

    def uninstall(self) -> None:
        self.engine.__dict__.pop("_schedule", None)
        self.engine.__dict__.pop("point", None)

    def downloader(self, scenario) -> FakeDownloader:
        return _ObservedDownloader(scenario, self)

    def story(self) -> Story:
        return Story(tuple(self.steps), dict(self.at_event))

    # -- noting ------------------------------------------------------------------------

    def _now(self) -> float:
        return round(self.engine.now, 6)

    def _note_changes(self, current, where: str | None) -> None:
        """Threads started and ended since the last look."""
        for th in self.engine.threads():
            if th.tid not in self._seen:
                self._seen.add(th.tid)
                if current is not None and th is not current and th.tid != 1:
                    self._add(label(current), "spawn", label(th), where)
            if th.done and th.tid not in self._ended:
                self._ended.add(th.tid)
                self._blocked_in.pop(th.tid, None)
                self._add(label(th), "end", "", None)

    def _woke(self, th) -> None:
        blocked = self._blocked_in.pop(th.tid, None)
        if blocked is not None:
            self._add(label(th), "wake", blocked[0], blocked[1])

    def _point(self, th, frame) -> None:
        where, op, op_self, _ = _report._locate(frame)
        self._note_changes(th, where)
        if th.blocked:
            wait = _report.thread_state_at(th, self.engine, frame).waiting_on or op or "a wait"
            self._blocked_in[th.tid] = (wait.split(" (timeout")[0], where)
            self._add(label(th), "block", wait, where)
        else:
            self._woke(th)

    def _event(self, kind: str, url: str, seq: int) -> None:
        engine = self.engine
        me = engine.current()
        frame = sys._getframe(2)  # FakeDownloader.fetch's caller's frames, outwards
        states = []
        where = None
        for th in engine.threads():
            if th is me:
                state = _report.thread_state_at(th, engine, frame)
                where = state.where
            else:
                state = _report.thread_state(th, engine)
            states.append(replace(state, name=label(th)))
        if me is not None:
            self._note_changes(me, where)
            self._woke(me)
        if kind == START:
            self._in_flight += 1
        elif kind in (FINISH, FAIL):
            self._in_flight -= 1
        self.at_event[seq] = tuple(states)
        self._add(label(me) if me is not None else "?", kind, url, where, seq)

    def _add(self, thread: str, kind: str, what: str, where, seq=None) -> None:
        self.steps.append(Step(self._now(), thread, kind, what, where, self._in_flight, seq))


class _ObservedDownloader(FakeDownloader):
    def __init__(self, scenario, observer: Observer) -> None:
        super().__init__(scenario)
        self._observer = observer

    def _record(self, kind: str, url: str) -> None:
        before = len(self._events)
        super()._record(kind, url)
        if len(self._events) > before:
            self._observer._event(kind, url, self._events[-1].seq)

"""The forked child of the threads runtime: run the subject once, watch it, report, exit.

Everything here runs in a child process made by ``os.fork()`` and ends in
``os._exit``: the child never returns into the caller's code, never runs atexit
handlers and never joins the subject's leftover threads, so a thread stuck for
good in ``Queue.get`` dies with the process instead of hanging interlock.

Two threads of the child can finish the run, and exactly one does (``_claim``):
the main thread when ``download_all`` returns or raises, or the watchdog when the
budget runs out or every subject thread is parked for good.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import NoReturn

from ..models import Crash, FakeDownloader, RunRecord, Scenario, Subject
from ..models.record import DEADLOCK, RAISED, RETURNED, TIMEOUT
from ._frames import crash_where
from ._harness import SubjectOutcome, call_subject
from ._threads_inspect import ThreadView, view_thread

__all__ = ["Plan", "child_main", "encode_message"]

_HEADER = struct.Struct(">Q")
_NOTE_LINES = 5  # printed lines kept per stream in RunRecord.notes
_CAPTURE_LIMIT = 64 * 1024  # characters kept per stream; the rest is only counted


@dataclass(frozen=True)
class Plan:
    """One run's real-time settings, all in real seconds except ``scale``."""

    scale: float  # real seconds per virtual second
    budget: float  # download_all must return within this
    quiet: float  # no download event for this long, and all parked: maybe a deadlock
    confirm: float  # ... and nothing moved for this long more: a deadlock
    grace: float  # time leftover threads get to end after download_all returns
    poll: float  # the watchdog's period


def encode_message(kind: str, payload: object) -> bytes:
    """A length-prefixed pickle, so the parent knows when it has the whole message."""
    body = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


class _Capture(io.TextIOBase):
    """Stands in for sys.stdout / sys.stderr: the subject's prints become notes."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._kept < _CAPTURE_LIMIT:
            self._parts.append(text)  # list.append is atomic: prints from any thread are safe
            self._kept += len(text)
        else:
            self.dropped += len(text)
        return len(text)

    def notes(self, stream: str) -> list[str]:
        lines = "".join(self._parts).splitlines()
        notes = [f"{stream}: {line}" for line in lines[:_NOTE_LINES]]
        more = len(lines) - _NOTE_LINES
        if more > 0 or self.dropped:
            notes.append(
                f"{stream}: ... {max(more, 0)} more lines (and {self.dropped} chars dropped)"
            )
        return notes


class _ChildRun:
    def __init__(self, subject: Subject, scenario: Scenario, plan: Plan, fd: int) -> None:
        self.subject = subject
        self.scenario = scenario
        self.plan = plan
        self.fd = fd
        self.stdout = _Capture()
        self.stderr = _Capture()
        self.thread_errors: list[Crash] = []
        self.claim_lock = threading.Lock()
        self.claimed = False
        self.done = threading.Event()
        self.watchdog: threading.Thread | None = None
        self.main_ident = threading.get_ident()
        self.t0 = 0.0

    # -- the main thread ------------------------------------------------------

    def execute(self) -> NoReturn:
        sys.stdout, sys.stderr = self.stdout, self.stderr
        threading.excepthook = self._excepthook
        # After fork only this thread is alive; anything older is not the subject's.
        self.preexisting = {t.ident for t in threading.enumerate()} - {self.main_ident}
        self.downloader = FakeDownloader(self.scenario, scale=self.plan.scale)
        self.watchdog = threading.Thread(target=self._watch, name="interlock-watchdog", daemon=True)
        self.t0 = time.monotonic()
        self.watchdog.start()
        outcome = SubjectOutcome()
        # The returned items are classified once the call is claimed as returned: that
        # is interlock's work (a result's own __repr__ may be slow), not timed as the run.
        call_subject(
            self.subject.download_all, self.scenario, self.downloader, outcome, classify=False
        )
        wall = time.monotonic() - self.t0
        virtual = self.downloader.now()
        if not self._claim():
            # The watchdog is reporting a timeout and will end the process.
            threading.Event().wait()
        self.done.set()
        at_return = tuple(v.state for v in self._views(include_main=False))
        outcome.classify(self.scenario)
        self._wait_for_leftovers(time.monotonic() + self.plan.grace)
        at_end = tuple(v.state for v in self._views(include_main=False))
        returned = outcome.returned
        if at_end:
            names = "; ".join(s.describe() for s in at_end)
            diagnosis = (
                f"{len(at_end)} thread(s) still alive {self.plan.grace:.3g}s after "
                f"download_all {'returned' if returned else 'raised'}: {names}"
            )
        elif not returned and outcome.crash is not None:
            diagnosis = f"download_all raised {outcome.crash.describe()}"
        else:
            diagnosis = None
        record = self._record(
            RETURNED if returned else RAISED,
            results=outcome.results,
            crash=outcome.crash,
            threads_at_return=at_return,
            threads_at_end=at_end,
            diagnosis=diagnosis,
            virtual=virtual,
            wall=wall,
        )
        self._finish(record)

    def _wait_for_leftovers(self, deadline: float) -> None:
        """Until ``deadline``, wait for the subject's other threads to end (those started
        with ``_thread`` too, which cannot be joined: they are watched instead)."""
        while True:
            remaining = deadline - time.monotonic()
            live = self._subject_idents(include_main=False)
            if not live or remaining <= 0:
                return
            by_ident = {t.ident: t for t in threading.enumerate()}
            thread = next((by_ident[i] for i in live if i in by_ident), None)
            if thread is None or isinstance(thread, threading._DummyThread):
                time.sleep(min(remaining, 0.002))
            else:
                thread.join(remaining)

    def _subject_idents(self, *, include_main: bool) -> set[int]:
        skip = self.preexisting | {self.watchdog.ident}
        if not include_main:
            skip.add(self.main_ident)
        return set(sys._current_frames()) - skip

    def _name_of(self, thread: threading.Thread) -> str:
        """The thread's name in the run's records (its own, when threads share one)."""
        downloader = getattr(self, "downloader", None)
        return thread.name if downloader is None else downloader.thread_names().of(thread)

    def _excepthook(self, args) -> None:
        if args.exc_type is SystemExit:  # as threading's own hook: a thread may exit this way
            return
        thread = self._name_of(args.thread) if args.thread is not None else None
        if args.exc_value is not None:
            crash = Crash.from_exception(
                args.exc_value, thread=thread, where=crash_where(args.exc_value)
            )
        else:
            crash = Crash(args.exc_type.__name__, "", "", thread)
        self.thread_errors.append(crash)

    # -- the watchdog -----------------------------------------------------------

    def _watch(self) -> None:
        try:
            self._watch_loop()
        except BaseException:  # noqa: BLE001 - a bug here must reach the parent, not vanish
            if self._claim():
                self._send(encode_message("error", traceback.format_exc()))
                os._exit(1)

    def _watch_loop(self) -> None:
        plan = self.plan
        seen_events = 0
        last_event = self.t0
        candidate: tuple | None = None
        candidate_since = 0.0
        while not self.done.wait(plan.poll):
            now = time.monotonic()
            events = len(self.downloader.trace)
            if events != seen_events:
                seen_events, last_event, candidate = events, now, None
            if now - self.t0 >= plan.budget:
                self._stop_on_budget(now)
                return
            if now - last_event < plan.quiet:
                continue
            views = self._views()
            if not views or not all(v.blocked for v in views):
                candidate = None
                continue
            # Everyone parked and no download moving: confirm that nothing moves at
            # all for a while, so a thread just notified but not yet scheduled (it
            # still shows in its wait) is not mistaken for a stuck one.
            signature = tuple(sorted((v.state.name, v.signature) for v in views))
            if signature != candidate:
                candidate, candidate_since = signature, now
            elif now - candidate_since >= plan.confirm:
                self._stop(DEADLOCK, views, now, idle=now - last_event)
                return

    def _views(self, *, include_main: bool = True) -> list[ThreadView]:
        """The subject's live threads, read from their stacks (the main thread first)."""
        frames = sys._current_frames()
        by_ident = {t.ident: t for t in threading.enumerate()}
        wanted = self._subject_idents(include_main=include_main) & set(frames)
        views = []
        for ident in sorted(wanted, key=lambda i: (i != self.main_ident, i)):
            thread = by_ident.get(ident)
            if thread is None:  # started with _thread directly: still the subject's
                views.append(view_thread(f"thread-{ident}", False, frames[ident]))
            else:
                views.append(view_thread(self._name_of(thread), thread.daemon, frames[ident]))
        return views

    def _stop_on_budget(self, now: float) -> None:
        views = self._views()
        if views and all(v.blocked for v in views):
            self._stop(DEADLOCK, views, now)
        else:
            self._stop(TIMEOUT, views, now)

    def _stop(
        self, outcome: str, views: list[ThreadView], now: float, *, idle: float | None = None
    ) -> None:
        if not self._claim():
            return
        virtual = self.downloader.now()
        states = tuple(v.state for v in views)
        described = "; ".join(s.describe() for s in states)
        if outcome == DEADLOCK and idle is not None:
            diagnosis = (
                f"deadlock: all {len(states)} thread(s) blocked for good, nothing moved for "
                f"{idle:.3g}s real: {described}"
            )
        elif outcome == DEADLOCK:
            diagnosis = (
                f"deadlock: at the time budget ({self.scenario.time_budget:g} virtual s) all "
                f"{len(states)} thread(s) were blocked: {described}"
            )
        else:
            diagnosis = (
                f"timeout: download_all had not returned after {virtual:.3f} virtual s "
                f"(budget {self.scenario.time_budget:g}): {described}"
            )
        record = self._record(
            outcome,
            results=None,
            crash=None,
            blocked=states,
            diagnosis=diagnosis,
            virtual=virtual,
            wall=now - self.t0,
        )
        self._finish(record)

    # -- reporting ----------------------------------------------------------------

    def _claim(self) -> bool:
        with self.claim_lock:
            if self.claimed:
                return False
            self.claimed = True
            return True

    def _record(self, outcome: str, *, virtual: float, wall: float, **fields) -> RunRecord:
        notes = tuple(self.stdout.notes("stdout") + self.stderr.notes("stderr"))
        return RunRecord(
            subject=self.subject.name,
            scenario=self.scenario,
            runtime="threads",
            trace=self.downloader.trace,
            outcome=outcome,
            thread_errors=tuple(self.thread_errors),
            virtual_time=virtual,
            wall_time=wall,
            notes=notes,
            **fields,
        )

    def _finish(self, record: RunRecord) -> NoReturn:
        try:
            message = encode_message("record", record)
        except Exception:  # noqa: BLE001 - say what would not pickle instead of dying silently
            message = encode_message("error", traceback.format_exc())
        self._send(message)
        os._exit(0)

    def _send(self, message: bytes) -> None:
        view = memoryview(message)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _silence_fds() -> None:
    """Point the child's fds 1 and 2 at /dev/null: a write that bypasses sys.stdout
    (C code, os.write) must not land in the caller's output."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def child_main(subject: Subject, scenario: Scenario, plan: Plan, fd: int) -> NoReturn:
    """Run in the forked child; never returns."""
    run = None
    try:
        _silence_fds()
        # The child shares the parent's memory copy-on-write; a full garbage collection
        # would touch (so copy) every page. Objects from before the fork are not the
        # subject's: keep the collector off them.
        gc.freeze()
        run = _ChildRun(subject, scenario, plan, fd)
        run.execute()
    except BaseException:  # noqa: BLE001 - anything escaping here is interlock's bug
        if run is not None and not run._claim():
            # The watchdog is sending its report and will end the process.
            threading.Event().wait()
        try:
            message = encode_message("error", traceback.format_exc())
            view = memoryview(message)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(1)

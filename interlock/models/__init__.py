"""The simulated world: task specs, payloads, the fake downloader, events, run records."""

from __future__ import annotations

from ._errors import DownloadFailed, InterlockError, InvalidScenario, UnknownURL
from .downloader import FakeDownloader
from .events import Event, Interval, Trace
from .payloads import ResultItem, classify_result, identify_payload, make_payload
from .record import Crash, RunRecord, ThreadState, Verdict
from .tasks import Scenario, TaskSpec

__all__ = [
    "Crash",
    "DownloadFailed",
    "Event",
    "FakeDownloader",
    "InterlockError",
    "Interval",
    "InvalidScenario",
    "ResultItem",
    "RunRecord",
    "Scenario",
    "TaskSpec",
    "ThreadState",
    "Trace",
    "UnknownURL",
    "Verdict",
    "classify_result",
    "identify_payload",
    "make_payload",
]

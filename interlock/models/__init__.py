"""The simulated world: task specs, payloads, the fake downloader, events, run records,
verdicts, the subject value and the settings a verification runs with."""

from __future__ import annotations

from ._errors import (
    DownloadFailed,
    InterlockError,
    InvalidScenario,
    InvalidSetting,
    InvalidTarget,
    UnknownURL,
)
from .downloader import FakeDownloader
from .events import Event, Interval, Trace
from .names import ThreadNames
from .payloads import ResultItem, classify_result, identify_payload, make_payload
from .record import Crash, RunRecord, Stop, ThreadState, Verdict
from .report import SubjectReport
from .settings import Budget, Settings, derive_seed
from .story import Step, Story
from .subject import Promises, Subject
from .tasks import Scenario, TaskSpec

__all__ = [
    "Budget",
    "Crash",
    "DownloadFailed",
    "Event",
    "FakeDownloader",
    "InterlockError",
    "Interval",
    "InvalidScenario",
    "InvalidSetting",
    "InvalidTarget",
    "Promises",
    "ResultItem",
    "RunRecord",
    "Scenario",
    "Settings",
    "Step",
    "Stop",
    "Story",
    "Subject",
    "SubjectReport",
    "TaskSpec",
    "ThreadNames",
    "ThreadState",
    "Trace",
    "UnknownURL",
    "Verdict",
    "classify_result",
    "derive_seed",
    "identify_payload",
    "make_payload",
]

"""interlock's exceptions."""

from __future__ import annotations

from .models._errors import (
    DownloadFailed,
    InterlockError,
    InvalidScenario,
    InvalidSetting,
    InvalidTarget,
    UnknownURL,
)

__all__ = [
    "DownloadFailed",
    "InterlockError",
    "InvalidScenario",
    "InvalidSetting",
    "InvalidTarget",
    "UnknownURL",
]

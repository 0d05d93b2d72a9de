"""interlock's exceptions."""

from __future__ import annotations

from .models._errors import DownloadFailed, InterlockError, InvalidScenario, UnknownURL

__all__ = ["DownloadFailed", "InterlockError", "InvalidScenario", "InvalidTarget", "UnknownURL"]


class InvalidTarget(InterlockError, ValueError):
    """A TARGET names no usable subject: unknown name, missing file or function, bad signature."""

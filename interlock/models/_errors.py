"""Exceptions shared by every layer (re-exported from ``interlock.errors``)."""

from __future__ import annotations

__all__ = [
    "DownloadFailed",
    "InterlockError",
    "InvalidScenario",
    "InvalidSetting",
    "InvalidTarget",
    "UnknownURL",
]


class InterlockError(Exception):
    """Base class for interlock's own errors: bad input, not a subject's failure."""


class InvalidScenario(InterlockError, ValueError):
    """A scenario (file, dict or generated) breaks a rule."""


class InvalidSetting(InterlockError, ValueError):
    """A setting (seed, runs, strategy, runtime, scale...) has a value it cannot take."""


class InvalidTarget(InterlockError, ValueError):
    """A TARGET names no usable subject: unknown name, missing file or function, bad signature."""


class DownloadFailed(OSError):
    """Raised by a fake download whose task is scripted to fail. Names the URL."""

    def __init__(self, url: str) -> None:
        super().__init__(f"download failed: {url}")
        self.url = url

    def __reduce__(self):  # keep the url when pickled across a process boundary
        return (type(self), (self.url,))


class UnknownURL(LookupError):
    """``fetch`` was called with a URL that is not in the scenario."""

    def __init__(self, url: object) -> None:
        super().__init__(f"fetch() was called with a URL that is not in the scenario: {url!r}")
        self.url = url

    def __reduce__(self):
        return (type(self), (self.url,))

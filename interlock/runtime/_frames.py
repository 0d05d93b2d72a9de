"""Which frames are the subject's own code, and how a frame is named in a report.

One classifier for both runtimes. A frame is *library* when its file is in the
standard library (outside ``site-packages``; frozen modules included), in
interlock's own machinery, or in greenlet. Everything else is the subject's:
the subjects shipped with interlock (``interlock/implementations``) are subject
code like any user's module, and so are a pool from ``site-packages`` and code
a user compiled themselves (``<generated>``).
"""

from __future__ import annotations

import functools
import os
import sysconfig
from types import FrameType

__all__ = ["crash_where", "frames", "is_library_file", "is_stdlib_file", "location", "self_of"]

_STDLIB_DIRS = tuple(
    os.path.normcase(os.path.realpath(p)) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
_INTERLOCK_DIR = os.path.normcase(os.path.realpath(os.path.dirname(os.path.dirname(__file__))))
# The one place that knows where interlock keeps its subjects.
_SUBJECTS_DIR = os.path.join(_INTERLOCK_DIR, "implementations") + os.sep


@functools.lru_cache(maxsize=4096)
def is_stdlib_file(filename: str) -> bool:
    """The standard library's own files (frozen modules included), not ``site-packages``."""
    if filename.startswith("<frozen"):
        return True
    path = os.path.normcase(os.path.realpath(filename))
    return path.startswith(_STDLIB_DIRS) and "site-packages" not in path


@functools.lru_cache(maxsize=4096)
def is_library_file(filename: str) -> bool:
    """True for frames that are not the subject's: the stdlib, interlock's machinery
    and greenlet."""
    if is_stdlib_file(filename):
        return True
    path = os.path.normcase(os.path.realpath(filename))
    if path.startswith(_INTERLOCK_DIR + os.sep):
        return not path.startswith(_SUBJECTS_DIR)
    return "greenlet" in path.split(os.sep)


def frames(frame: FrameType | None) -> list[FrameType]:
    """The frame and its callers, innermost first."""
    out = []
    while frame is not None:
        out.append(frame)
        frame = frame.f_back
    return out


def location(frame: FrameType) -> str:
    """``file.py:LINE in function``: how every report names a place in code."""
    code = frame.f_code
    return f"{os.path.basename(code.co_filename)}:{frame.f_lineno} in {code.co_name}"


def self_of(frame: FrameType):
    """The frame's ``self``, if it has one that can be read."""
    try:
        return frame.f_locals.get("self")
    except Exception:  # noqa: BLE001 - a frame that cannot be introspected
        return None


def crash_where(exc: BaseException) -> str | None:
    """The innermost line of the subject's own code ``exc`` was raised through."""
    where = None
    tb = exc.__traceback__
    while tb is not None:
        if not is_library_file(tb.tb_frame.f_code.co_filename):
            code = tb.tb_frame.f_code
            where = f"{os.path.basename(code.co_filename)}:{tb.tb_lineno} in {code.co_name}"
        tb = tb.tb_next
    return where

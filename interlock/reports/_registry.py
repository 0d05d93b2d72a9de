"""Report formats declare themselves by name next to their renderer: ``@report_format``.

A renderer is a pure function from reports to text: it reads ``SubjectReport``
values (their verdicts and the records that show each violation) and runs
nothing. The CLI's ``--format``, its help and the pytest plugin's failure text
all come from ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from ..models import InvalidSetting, SubjectReport

__all__ = ["COLOR", "FORMATS", "ReportFormat", "render", "report_format"]

# Whether the text formats may colour what they draw: set by ``render(..., color=True)``.
COLOR: ContextVar[bool] = ContextVar("interlock_report_color", default=False)

Renderer = Callable[[Sequence[SubjectReport]], str]


@dataclass(frozen=True)
class ReportFormat:
    name: str
    summary: str
    render: Renderer
    order: int


FORMATS: dict[str, ReportFormat] = {}


def report_format(name: str, *, summary: str, order: int):
    """Register ``render(reports) -> str`` as the report format ``name``."""

    def register(render: Renderer) -> Renderer:
        if name in FORMATS:
            other = FORMATS[name].render
            msg = (
                f"report format {name!r} is declared twice: by {other.__module__}."
                f"{other.__qualname__} and by {render.__module__}.{render.__qualname__}"
            )
            raise ValueError(msg)
        FORMATS[name] = ReportFormat(name, summary, render, order)
        return render

    return register


def format_names() -> list[str]:
    return [f.name for f in sorted(FORMATS.values(), key=lambda f: (f.order, f.name))]


def render(name: str, reports: Sequence[SubjectReport], *, color: bool = False) -> str:
    """The reports in format ``name``; ``color`` lets the text formats colour what
    they draw (for a terminal)."""
    chosen = FORMATS.get(name)
    if chosen is None:
        msg = f"unknown format {name!r} (choose {', '.join(format_names())})"
        raise InvalidSetting(msg)
    token = COLOR.set(color)
    try:
        return chosen.render(reports)
    finally:
        COLOR.reset(token)

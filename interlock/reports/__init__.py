"""Renderers: pure functions from reports (and the records they hold) to text.

Each format declares itself with ``@report_format`` in its own module; the CLI
chooses one with ``--format NAME``. Adding a format is adding a module here and
importing it below.
"""

from __future__ import annotations

from ._registry import FORMATS, ReportFormat, format_names, render, report_format

# Imported for their declarations, which fill FORMATS.
from ._table import render_details, render_table  # isort: skip
from ._timeline import render_timeline, render_timelines  # isort: skip
from ._json import render_json, to_json  # isort: skip
from ._explain import explain_of, story_lines  # isort: skip
from ._lanes import lanes_of  # isort: skip
from ._violation import iter_violations, violation_view  # isort: skip
from ._markdown import gantt_of, markdown_of, render_markdown  # isort: skip
from ._html import html_of, render_html  # isort: skip

__all__ = [
    "FORMATS",
    "ReportFormat",
    "explain_of",
    "format_names",
    "gantt_of",
    "html_of",
    "iter_violations",
    "lanes_of",
    "markdown_of",
    "render",
    "render_details",
    "render_html",
    "render_json",
    "render_markdown",
    "render_table",
    "render_timeline",
    "render_timelines",
    "report_format",
    "story_lines",
    "to_json",
    "violation_view",
]

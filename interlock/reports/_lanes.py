"""A violation drawn for a terminal: one lane per thread, virtual time across.

Each download is a bar from its start to its end (``#`` for the downloads in
flight at the moment of the violation, ``=`` for the others, the URL written at
its start); beneath the lanes, how many downloads are in flight in each column,
and a caret under the moment of the violation. Fits ``width`` columns (100 by
default) and reads without colour; with ``color`` the bars in flight at the
violation and the marker are red (the CLI asks for colour only when stdout is a
terminal and ``NO_COLOR`` is unset).
"""

from __future__ import annotations

from ._registry import COLOR

__all__ = ["lanes_of"]

_RED = "\x1b[31m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
_LABEL = 24  # the widest lane label; longer thread names are cut


def _label(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "~"


def lanes_of(view: dict, *, width: int = 100, color: bool | None = None) -> str:
    if color is None:
        color = COLOR.get()
    downloads = view["downloads"]
    threads: list[str] = []
    for d in downloads:
        if d["thread"] not in threads:
            threads.append(d["thread"])
    if not threads:
        return "(no download started: nothing to draw)"
    end = max([view["end"], *(d["end"] or 0.0 for d in downloads), 1e-9])
    label_width = min(max(len(t) for t in [*threads, "in flight"]), _LABEL)
    axis = max(width - label_width - 3, 10)

    def col(t: float) -> int:
        return min(axis - 1, max(0, round(t / end * (axis - 1))))

    lines = []
    left = f"t={0:.3f}s"
    right = f"t={end:.3f}s"
    lines.append(" " * (label_width + 2) + left + right.rjust(axis - len(left)))
    for thread in threads:
        cells = [" "] * axis
        hot = [False] * axis
        for d in downloads:
            if d["thread"] != thread:
                continue
            start = col(d["start"])
            stop = col(d["end"] if d["end"] is not None else end)
            mark = "#" if d["in_flight_at_violation"] else "="
            for c in range(start, max(stop, start + 1)):
                cells[c] = mark
                hot[c] = d["in_flight_at_violation"]
            if d["ok"] is False:
                cells[max(stop - 1, start)] = "x"  # the download failed
            text = d["url"][: max(stop - start - 1, 0)]
            for offset, ch in enumerate(text):
                cells[start + offset] = ch
        lines.append(f"{_label(thread, label_width):<{label_width}} |{_paint(cells, hot, color)}|")
    lines.append(f"{'in flight':<{label_width}} |{_counts(downloads, col, end, axis, view)}|")
    violation = view["violation"]
    at = violation.get("at")
    if at is not None and view["invariant"] == "max_in_flight":
        caret = col(at)
        text = (
            f"^ {violation['in_flight']} in flight at t={at:.3f}s, "
            f"limit {view['scenario']['limit']}"
        )
        pad = label_width + 2 + caret
        if pad + len(text) > width:
            text = text[2:] + " ^"
            pad = max(pad - len(text) + 1, 0)
        marker = " " * pad + text
        lines.append(f"{_RED}{_BOLD}{marker}{_RESET}" if color else marker)
    return "\n".join(lines)


def _paint(cells: list[str], hot: list[bool], color: bool) -> str:
    if not color:
        return "".join(cells)
    out = []
    painting = False
    for ch, is_hot in zip(cells, hot, strict=True):
        if is_hot and not painting:
            out.append(_RED)
            painting = True
        elif not is_hot and painting:
            out.append(_RESET)
            painting = False
        out.append(ch)
    if painting:
        out.append(_RESET)
    return "".join(out)


def _counts(downloads: list[dict], col, end: float, axis: int, view: dict) -> str:
    """How many bars cover each column (so the row reads against the bars above it);
    the violation's column shows the count at the violation."""
    counts = [0] * axis
    for d in downloads:
        start = col(d["start"])
        stop = col(d["end"] if d["end"] is not None else end)
        for c in range(start, max(stop, start + 1)):
            counts[c] += 1
    peak = view["violation"]
    if view["invariant"] == "max_in_flight" and peak.get("at") is not None:
        counts[col(peak["at"])] = peak["in_flight"]
    return "".join(" " if n == 0 else str(n) if n < 10 else "+" for n in counts)

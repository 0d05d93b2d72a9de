"""Headless-Chromium helpers for tests that check what a browser shows.

``render_mermaid(text)`` renders Mermaid text with the local Mermaid bundle and
returns the SVG as well-formed XML; ``render_html(path)`` returns the DOM of a
local HTML file after its scripts ran. Each call starts one fresh Chromium
(``--headless --dump-dom`` with a virtual-time budget, so asynchronous rendering
finishes before the DOM is dumped) in its own temporary profile, with no port,
so parallel pytest processes do not meet. Every process of that Chromium is
ended before the call returns, timeout or not, and its temporary files removed.

Chromium and the Mermaid bundle come from ``.ci/install-browser``. Tests call
``require_browser()`` first: it skips when either is missing, or fails when
INTERLOCK_REQUIRE_BROWSER=1 (as in CI), so browser tests never skip silently there.

Only the standard library is used (pytest only inside ``require_browser``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "BrowserError",
    "MermaidError",
    "find_chromium",
    "find_mermaid_js",
    "Gantt",
    "GanttTask",
    "mermaid_version",
    "Node",
    "node_dir",
    "parse_dom",
    "parse_gantt",
    "render_html",
    "render_mermaid",
    "require_browser",
]

INSTALL_HINT = "run .ci/install-browser"

# The flags the brief settled on; the background-networking ones keep Chromium
# from trying to reach Google. --disable-dev-shm-usage because Debian's launcher
# fails to add it itself on machines where findmnt prints /dev/shm twice.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--window-size=1280,1024",
)

# Stderr lines that every headless run on this kind of machine prints.
_NOISE = re.compile(
    r"dbus|Fontconfig|unexpected operator|sandbox|crashpad|ALSA|Failed to connect to the bus"
)

# Environment variable whose value marks every process of one run (they all
# inherit it), so that leftovers outside Chromium's process group, such as the
# crash handler that starts its own session, can be found and ended by pid.
_MARK = "INTERLOCK_BROWSER_RUN"


class BrowserError(RuntimeError):
    """Chromium failed, timed out, or the page did not report a result."""


class MermaidError(BrowserError):
    """Mermaid rejected the text; the message is Mermaid's own."""


# --------------------------------------------------------------------------- finding


def node_dir() -> Path:
    """The folder ``.ci/install-browser`` installs npm packages into."""
    configured = os.environ.get("INTERLOCK_NODE_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "interlock-node"


def find_chromium() -> str | None:
    """INTERLOCK_CHROMIUM if set, else the first Chromium on PATH, else None."""
    configured = os.environ.get("INTERLOCK_CHROMIUM")
    if configured:
        found = shutil.which(configured)
        return found
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_mermaid_js() -> str | None:
    """INTERLOCK_MERMAID_JS if set (and a file), else the bundle in ``node_dir()``."""
    configured = os.environ.get("INTERLOCK_MERMAID_JS")
    if configured:
        return configured if Path(configured).is_file() else None
    bundle = node_dir() / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    return str(bundle) if bundle.is_file() else None


def mermaid_version() -> str | None:
    """The version in the package.json beside the bundle ``find_mermaid_js()`` finds."""
    bundle = find_mermaid_js()
    if bundle is None:
        return None
    package = Path(bundle).resolve().parent.parent / "package.json"
    try:
        return json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def require_browser(mermaid: bool = True) -> None:
    """Skip the calling test when Chromium (or, with ``mermaid``, the Mermaid
    bundle) is missing; fail instead when INTERLOCK_REQUIRE_BROWSER=1."""
    import pytest

    missing = []
    if find_chromium() is None:
        missing.append("chromium not installed")
    if mermaid and find_mermaid_js() is None:
        where = os.environ.get("INTERLOCK_MERMAID_JS") or str(node_dir())
        missing.append(f"mermaid bundle not found (looked in {where})")
    if not missing:
        return
    reason = "; ".join(missing) + f": {INSTALL_HINT}"
    if os.environ.get("INTERLOCK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"INTERLOCK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- running


def _new_token() -> str:
    return uuid.uuid4().hex


def _marked_pids(token: str) -> list[int]:
    """Pids of live processes whose environment carries this run's mark."""
    needle = f"{_MARK}={token}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:  # gone, a zombie, or not ours to read
            continue
        if needle in environ.split(b"\0"):
            pids.append(int(entry))
    return pids


def _kill_marked(token: str, grace: float = 2.0) -> None:
    deadline = time.monotonic() + grace
    while True:
        pids = _marked_pids(token)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    # Only while the leader is unreaped, so its pid (the group id) cannot have been reused.
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            pass


def _stderr_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip() and not _NOISE.search(line)]
    return "\n".join(kept[-lines:])


def _dump_dom(url: str, workdir: Path, timeout: float, budget_ms: int) -> str:
    """Run one headless Chromium on ``url`` and return the DOM it dumps."""
    chromium = find_chromium()
    if chromium is None:
        raise BrowserError(f"chromium not installed: {INSTALL_HINT}")
    token = _new_token()
    home = workdir / "home"
    home.mkdir()
    out_path, err_path = workdir / "stdout.html", workdir / "stderr.txt"
    env = dict(os.environ)
    env.update(
        {
            _MARK: token,
            # Keep Chromium's config, cache and crash database inside the temp dir.
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "TZ": "UTC",
            "LANG": "C.UTF-8",
        }
    )
    env.pop("DISPLAY", None)
    cmd = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={workdir / 'profile'}",
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        url,
    ]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=workdir,
            start_new_session=True,
        )
    try:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
            raise BrowserError(
                f"chromium did not finish within {timeout:g} s on {url}\n{_stderr_tail(err_path)}"
            ) from None
    finally:
        _signal_group(proc, signal.SIGKILL)
        _kill_marked(token)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILLed already
            pass
    dom = out_path.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0 or not dom.strip():
        raise BrowserError(
            f"chromium exited with {proc.returncode} and "
            f"{'no' if not dom.strip() else 'a'} DOM on {url}\n{_stderr_tail(err_path)}"
        )
    return dom


def _run_in_tempdir(fn):
    workdir = Path(tempfile.mkdtemp(prefix="interlock-browser-"))
    try:
        return fn(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render_html(path: str | os.PathLike, timeout: float = 60, budget_ms: int = 10_000) -> str:
    """The serialized DOM of a local HTML file after load (and after its timers,
    up to ``budget_ms`` of virtual time)."""
    url = Path(path).resolve().as_uri()
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    return _run_in_tempdir(lambda workdir: _dump_dom(url, workdir, timeout, budget_ms))


_MERMAID_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>interlock mermaid</title></head>
<body>
<div id="interlock-out"></div>
<pre id="interlock-status"></pre>
<pre id="interlock-result"></pre>
<script>
window.__interlockErrors = [];
window.addEventListener("error", function (event) {
  window.__interlockErrors.push(String(event.message || event));
});
</script>
<script src="__BUNDLE_SRC__"></script>
<script>
(function () {
  var status = document.getElementById("interlock-status");
  var result = document.getElementById("interlock-result");
  function finish(state, text) { result.textContent = text; status.textContent = state; }
  if (typeof mermaid === "undefined") {
    finish("error", "mermaid bundle did not load (" + __BUNDLE_JS__ + "): " +
      window.__interlockErrors.join("; "));
    return;
  }
  var source = __SOURCE__;
  try {
    mermaid.initialize(Object.assign(
      {startOnLoad: false, securityLevel: "strict", suppressErrorRendering: true}, __CONFIG__));
    mermaid.render("interlock-mermaid", source).then(function (rendered) {
      var out = document.getElementById("interlock-out");
      out.innerHTML = rendered.svg;
      var svg = out.querySelector("svg");
      if (!svg) { finish("error", "mermaid returned no <svg>"); return; }
      finish("ok", new XMLSerializer().serializeToString(svg));
    }).catch(function (error) {
      finish("error", String((error && (error.message || error.str)) || error));
    });
  } catch (error) {
    finish("error", String((error && error.message) || error));
  }
})();
</script>
</body></html>
"""

_PLACEHOLDER = re.compile(r"__(?:BUNDLE_SRC|BUNDLE_JS|SOURCE|CONFIG)__")
_PRE = re.compile(r'<pre id="interlock-(status|result)">(.*?)</pre>', re.S)


def _script_literal(value) -> str:
    # JSON is valid JavaScript; escape "<" so no "</script>" can end the block.
    return json.dumps(value).replace("<", "\\u003c")


def render_mermaid(
    text: str, timeout: float = 60, config: dict | None = None, budget_ms: int = 30_000
) -> str:
    """Render Mermaid ``text`` in headless Chromium and return the SVG as XML text.

    Raises MermaidError with Mermaid's message when Mermaid rejects the text, and
    BrowserError when Chromium or the bundle fails. ``config`` is merged into
    ``mermaid.initialize``'s options (e.g. ``{"gantt": {"barHeight": 20}}``).
    """
    bundle = find_mermaid_js()
    if bundle is None:
        raise BrowserError(f"mermaid bundle not found: {INSTALL_HINT}")

    def run(workdir: Path) -> str:
        uri = Path(bundle).resolve().as_uri()
        values = {
            "__BUNDLE_SRC__": html.escape(uri),
            "__BUNDLE_JS__": _script_literal(uri),
            "__SOURCE__": _script_literal(text),
            "__CONFIG__": _script_literal(config or {}),
        }
        # One pass, so text that happens to contain a placeholder stays as it is.
        page = _PLACEHOLDER.sub(lambda match: values[match.group(0)], _MERMAID_PAGE)
        page_path = workdir / "page.html"
        page_path.write_text(page, encoding="utf-8")
        dom = _dump_dom(page_path.as_uri(), workdir, timeout, budget_ms)
        parts = {name: html.unescape(body) for name, body in _PRE.findall(dom)}
        state, body = parts.get("status", ""), parts.get("result", "")
        if state == "ok":
            return body
        if state == "error":
            if body.startswith(("mermaid bundle did not load", "mermaid returned")):
                raise BrowserError(body)
            raise MermaidError(body)
        raise BrowserError(
            f"mermaid did not finish rendering within the {budget_ms} ms virtual-time budget"
        )

    return _run_in_tempdir(run)


# --------------------------------------------------------------------------- reading


class Node:
    """One element of a parsed document: ``tag`` (lower case), ``attrs``, ``children``."""

    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None):
        self.tag, self.attrs, self.children, self.parent = tag, attrs, [], parent

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self, tag: str | None = None, class_: str | None = None):
        """This element and its descendants, in document order, that have ``tag``
        (any when None) and the class ``class_`` (any when None)."""
        if (tag is None or self.tag == tag) and (class_ is None or class_ in self.classes):
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag, class_)

    def find_all(self, tag: str | None = None, class_: str | None = None) -> list[Node]:
        return list(self.iter(tag, class_))

    def text(self) -> str:
        """All text inside, concatenated."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs!r}>"


_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        )

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_dom(markup: str) -> Node:
    """A forgiving tree of HTML or SVG markup (stdlib ``html.parser``): tag and
    attribute names come back in lower case (``viewbox``, ``foreignobject``)."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


class GanttTask:
    """One bar or milestone of a rendered Mermaid gantt chart."""

    __slots__ = ("id", "label", "kind", "classes", "x", "y", "width", "height", "section")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __repr__(self) -> str:
        return (
            f"GanttTask({self.kind} {self.id!r} {self.label!r} in {self.section!r}, "
            f"x={self.x:g} width={self.width:g})"
        )


class Gantt:
    """What a rendered Mermaid gantt SVG shows: title, section names (top to
    bottom) and tasks (top to bottom), each task with its section."""

    def __init__(self, title: str, sections: list[str], tasks: list[GanttTask]):
        self.title, self.sections, self.tasks = title, sections, tasks

    def bars(self, section: str | None = None) -> list[GanttTask]:
        return [t for t in self.tasks if t.kind == "bar" and section in (None, t.section)]

    def milestones(self, section: str | None = None) -> list[GanttTask]:
        return [t for t in self.tasks if t.kind == "milestone" and section in (None, t.section)]

    def task(self, task_id: str) -> GanttTask:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)


def parse_gantt(svg: str) -> Gantt:
    """Read a gantt SVG from ``render_mermaid``.

    Mermaid (11.x) draws each task as ``<rect id="<svg id>-<task id>">`` whose class
    holds ``task`` (``task milestone ...`` for milestones), its label as
    ``<text id="<svg id>-<task id>-text">``, one background ``rect.section.sectionN``
    per row (N = section index mod 4) and each section name as ``text.sectionTitle``.
    Tasks are matched to sections through the rows they sit on.
    """
    root = parse_dom(svg)
    svg_node = next(root.iter("svg"), None)
    if svg_node is None:
        raise ValueError("no <svg> element")
    prefix = (svg_node.get("id") or "") + "-"
    labels = {n.get("id"): n.text().strip() for n in root.iter("text") if n.get("id")}
    title = " ".join(n.text().strip() for n in root.iter("text", "titleText")).strip()

    titles = sorted(root.iter("text", "sectionTitle"), key=lambda n: float(n.get("y", 0)))
    sections = [n.text().strip() for n in titles]
    # Rows: background rects, top to bottom; a new section starts where the class changes.
    rows = sorted(root.iter("rect", "section"), key=lambda n: float(n.get("y", 0)))
    spans: list[tuple[float, float, int]] = []  # (top, bottom, section index)
    index, previous = -1, None
    for row in rows:
        style = next((c for c in row.classes if c.startswith("section") and c != "section"), "")
        if style != previous:
            index, previous = index + 1, style
        top = float(row.get("y", 0))
        spans.append((top, top + float(row.get("height", 0)), index))
    if index + 1 != len(sections):  # e.g. an empty section: do not guess
        spans = []

    tasks = []
    for rect in root.iter("rect"):
        classes = rect.classes
        rect_id = rect.get("id") or ""
        if not rect_id.startswith(prefix) or not any(c.startswith("task") for c in classes):
            continue
        y, height = float(rect.get("y", 0)), float(rect.get("height", 0))
        middle = y + height / 2
        section = next((sections[i] for top, bottom, i in spans if top <= middle < bottom), None)
        tasks.append(
            GanttTask(
                id=rect_id[len(prefix) :],
                label=labels.get(rect_id + "-text", ""),
                kind="milestone" if "milestone" in classes else "bar",
                classes=classes,
                x=float(rect.get("x", 0)),
                y=y,
                width=float(rect.get("width", 0)),
                height=height,
                section=section,
            )
        )
    tasks.sort(key=lambda t: t.y)
    return Gantt(title, sections, tasks)

"""Scenario files: the TOML format, the loader, and a compact text encoding.

A scenario file is TOML. Every key is optional except ``limit``::

    name = "slow_head"          # default: the file name without ".toml"
    description = "One long download first, then many short ones."
    limit = 4                   # integer >= 1: downloads allowed in flight at once
    seed = 7                    # integer, default 0: payloads and [generate] draw from it
    budget = 120.0              # virtual seconds a run may take (> 0); default: derived

    [[task]]                    # one table per URL, in order
    url = "u0"                  # non-empty string, unique in the scenario
    duration = 20.0             # virtual seconds >= 0, default 1.0
    fails = false               # the download raises DownloadFailed, default false
    size = 64                   # payload bytes >= 0, default 64

    [generate]                  # many tasks at once, the same every time for one seed
    count = 12                  # integer >= 0, how many tasks
    duration_min = 1            # durations are drawn uniformly from the grid
    duration_max = 8            #   duration_min, duration_min + step, ... <= duration_max
    duration_step = 1           # > 0, default 0.001; 1 gives whole seconds (and ties)
    fail_rate = 0.02            # in [0, 1]: chance that each task fails, default 0
    size = 64                   # payload bytes for every task, default 64
    url_prefix = "u"            # URLs are prefix + index: u1, u2, ...  (default "u")
    url_template = "doc-{i:03d}.xml"  # or a str.format template on the index i
    start = 1                   # first index, default 0

Tasks can also be written as an inline array, ``task = [{url = "u0"}, ...]``.
When a file has both, the ``[[task]]`` tables come first and the generated
tasks follow, so a file can put one odd task in front of many ordinary ones.
If only one of ``duration_min``/``duration_max`` is given, every generated
duration equals it. Each generated task draws its duration, then whether it
fails, from ``random.Random(seed)`` (``random()`` only, whose sequence is
stable across Python versions).

Anything else is rejected with ``InvalidScenario``, in one line that names the
file, the key and what was wrong, for example::

    tiny.toml: 'limit' must be an integer >= 1 (got 0)
    tiny.toml: 'task[2].duration' must be a finite number >= 0 (got -1)
    tiny.toml: unknown key 'limt' (did you mean 'limit'?)

``scenario_to_dict`` writes the same format as a dict (tasks only, never
``[generate]``), so ``scenario_from_dict(scenario_to_dict(s)) == s``;
``encode_scenario`` packs that dict as URL-safe text for replay tokens.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import difflib
import functools
import json
import math
import os
import random
import string
import sys
import zlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from ..models import InvalidScenario, Scenario, TaskSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

__all__ = [
    "builtin_description",
    "builtin_names",
    "builtin_scenarios",
    "decode_scenario",
    "encode_scenario",
    "load_file",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
]

_TOP_KEYS = ("budget", "description", "generate", "limit", "name", "seed", "task")
_TASK_KEYS = ("duration", "fails", "size", "url")
_GENERATE_KEYS = (
    "count",
    "duration_max",
    "duration_min",
    "duration_step",
    "fail_rate",
    "size",
    "start",
    "url_prefix",
    "url_template",
)
# Read the task defaults from TaskSpec itself so they are written down once.
_TASK_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TaskSpec) if f.name != "url"}
_MAX_GENERATED = 100_000  # a typo such as count = 5000000 should fail, not eat memory
_MAX_DECODED = 16 * 1024 * 1024  # bytes; refuse zlib bombs in decode_scenario


# --- reading values ---------------------------------------------------------


class _Reader:
    """Validates one table's values; every error names the source and the dotted key."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str, allowed: tuple) -> None:
        self.source = source
        self.table = table
        self.prefix = prefix
        for key in table:
            if key not in allowed:
                self.fail_unknown(key, allowed)

    def fail(self, key: str, rule: str, got: object) -> NoReturn:
        msg = f"{self.source}: '{self.prefix}{key}' {rule} (got {got!r})"
        raise InvalidScenario(msg)

    def fail_unknown(self, key: object, allowed: tuple) -> NoReturn:
        where = f" in [{self.prefix.rstrip('.')}]" if self.prefix else ""
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
        msg = f"{self.source}: unknown key {key!r}{where} ({hint})"
        raise InvalidScenario(msg)

    def has(self, key: str) -> bool:
        return key in self.table

    def integer(self, key: str, default: int | None, *, minimum: int | None = None) -> int:
        value = self.table.get(key, default)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or (minimum is not None and value < minimum):
            rule = "must be an integer" + (f" >= {minimum}" if minimum is not None else "")
            self.fail(key, rule, value)
        return value

    def number(self, key: str, default: float | None, *, rule: str, check) -> float:
        value = self.table.get(key, default)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        # TOML allows inf and nan, and JSON ints too big for a float; none is usable.
        if not ok or not _finite(value) or not check(value):
            self.fail(key, f"must be a finite number {rule}", value)
        return value

    def text(self, key: str, default: str | None, *, empty_ok: bool = False) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or (not empty_ok and not value):
            self.fail(key, "must be a string" if empty_ok else "must be a non-empty string", value)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false", value)
        return value


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


# --- dict <-> Scenario ------------------------------------------------------


def scenario_from_dict(
    data: Mapping[str, Any], source: str = "<dict>", *, default_name: str = "scenario"
) -> Scenario:
    """Build a ``Scenario`` from the file format, already parsed into a dict.

    ``source`` names where the data came from in error messages; ``default_name``
    is used when the data has no ``name``.
    """
    if not isinstance(data, Mapping):
        msg = f"{source}: a scenario must be a table of keys (got {type(data).__name__})"
        raise InvalidScenario(msg)
    top = _Reader(source, data, "", _TOP_KEYS)
    name = top.text("name", default_name)
    if top.has("description"):
        top.text("description", None, empty_ok=True)
    if not top.has("limit"):
        msg = f"{source}: 'limit' is required (an integer >= 1)"
        raise InvalidScenario(msg)
    limit = top.integer("limit", None, minimum=1)
    seed = top.integer("seed", 0)
    budget = None
    if top.has("budget"):
        budget = top.number("budget", None, rule="> 0", check=lambda v: v > 0)

    labelled: list[tuple[str, TaskSpec]] = []
    raw_tasks = data.get("task", [])
    if not isinstance(raw_tasks, list):
        top.fail("task", "must be an array of tables ([[task]])", raw_tasks)
    for index, raw in enumerate(raw_tasks):
        labelled.append((f"task[{index}]", _read_task(source, index, raw)))
    if top.has("generate"):
        labelled += _generate(source, data["generate"], seed)

    first_seen: dict[str, str] = {}
    for label, task in labelled:
        if task.url in first_seen:
            msg = f"{source}: URL {task.url!r} appears twice ({first_seen[task.url]} and {label})"
            raise InvalidScenario(msg)
        first_seen[task.url] = label
    return Scenario(
        name=name, tasks=tuple(t for _, t in labelled), limit=limit, seed=seed, budget=budget
    )


def _read_task(source: str, index: int, raw: object) -> TaskSpec:
    prefix = f"task[{index}]."
    if not isinstance(raw, Mapping):
        msg = f"{source}: 'task[{index}]' must be a table (got {raw!r})"
        raise InvalidScenario(msg)
    reader = _Reader(source, raw, prefix, _TASK_KEYS)
    if not reader.has("url"):
        msg = f"{source}: 'task[{index}].url' is required"
        raise InvalidScenario(msg)
    return TaskSpec(
        url=reader.text("url", None),
        duration=reader.number(
            "duration", _TASK_DEFAULTS["duration"], rule=">= 0", check=lambda v: v >= 0
        ),
        fails=reader.boolean("fails", _TASK_DEFAULTS["fails"]),
        size=reader.integer("size", _TASK_DEFAULTS["size"], minimum=0),
    )


def _generate(source: str, raw: object, seed: int) -> list[tuple[str, TaskSpec]]:
    if not isinstance(raw, Mapping):
        msg = f"{source}: 'generate' must be a table ([generate]) (got {raw!r})"
        raise InvalidScenario(msg)
    gen = _Reader(source, raw, "generate.", _GENERATE_KEYS)
    if not gen.has("count"):
        msg = f"{source}: 'generate.count' is required (an integer >= 0)"
        raise InvalidScenario(msg)
    count = gen.integer("count", None, minimum=0)
    if count > _MAX_GENERATED:
        gen.fail("count", f"must be at most {_MAX_GENERATED}", count)
    non_negative = {"rule": ">= 0", "check": lambda v: v >= 0}
    default = _TASK_DEFAULTS["duration"]
    # One bound alone means a fixed duration: both default to whichever was given.
    if gen.has("duration_min") or not gen.has("duration_max"):
        low = gen.number("duration_min", default, **non_negative)
        high = gen.number("duration_max", low, **non_negative)
    else:
        low = high = gen.number("duration_max", None, **non_negative)
    if high < low:
        gen.fail("duration_max", f"must be >= duration_min ({low!r})", high)
    step = gen.number("duration_step", 0.001, rule="> 0", check=lambda v: v > 0)
    fail_rate = gen.number("fail_rate", 0.0, rule="in [0, 1]", check=lambda v: 0 <= v <= 1)
    size = gen.integer("size", _TASK_DEFAULTS["size"], minimum=0)
    start = gen.integer("start", 0, minimum=0)
    url_of = _url_maker(gen)

    rng = random.Random(seed)
    # Uniform over the grid points low, low + step, ... that do not pass high;
    # the epsilon keeps e.g. (8 - 1) / 0.1 from losing its last point to rounding.
    steps = math.floor((high - low) / step + 1e-9)
    tasks = []
    for i in range(start, start + count):
        k = min(int(rng.random() * (steps + 1)), steps)
        # round() drops float noise such as 0.30000000000000004; float() keeps "3.0" in reports
        duration = float(round(low + k * step, 9))
        fails = rng.random() < fail_rate
        tasks.append((f"generate[{i}]", TaskSpec(url_of(i), duration, fails, size)))
    return tasks


def _url_maker(gen: _Reader):
    if gen.has("url_template") and gen.has("url_prefix"):
        msg = f"{gen.source}: give 'generate.url_template' or 'generate.url_prefix', not both"
        raise InvalidScenario(msg)
    if not gen.has("url_template"):
        prefix = gen.text("url_prefix", "u", empty_ok=True)
        return lambda i: f"{prefix}{i}"
    template = gen.text("url_template", None)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        ok = bool(fields) and all(f == "i" for f in fields)
        if ok:
            template.format(i=0)  # surfaces a bad format spec now, not mid-generation
    except ValueError:
        ok = False
    if not ok:
        gen.fail("url_template", "must be a format string using only {i}, e.g. 'u{i}'", template)
    return lambda i: template.format(i=i)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario in the file format, leaving out task fields that hold their defaults."""
    data: dict[str, Any] = {"name": scenario.name, "limit": scenario.limit}
    if scenario.seed != 0:
        data["seed"] = scenario.seed
    if scenario.budget is not None:
        data["budget"] = scenario.budget
    tasks = []
    for task in scenario.tasks:
        entry: dict[str, Any] = {"url": task.url}
        for key, default in _TASK_DEFAULTS.items():
            value = getattr(task, key)
            # ``type(...) is`` keeps 1 vs 1.0 exact through a round trip.
            if value != default or type(value) is not type(default):
                entry[key] = value
        tasks.append(entry)
    data["task"] = tasks
    return data


def encode_scenario(scenario: Scenario) -> str:
    """Compact URL-safe text: JSON, then zlib, then base64url without padding."""
    text = json.dumps(scenario_to_dict(scenario), separators=(",", ":"), allow_nan=False)
    raw = zlib.compress(text.encode(), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_scenario(text: str) -> Scenario:
    """Undo ``encode_scenario``; anything else raises a one-line ``InvalidScenario``."""
    try:
        body = text.strip()
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        plain = inflater.decompress(raw, _MAX_DECODED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("truncated or too large")
        data = json.loads(plain)
    except (binascii.Error, zlib.error, ValueError, TypeError, AttributeError) as exc:
        clipped = str(text) if len(str(text)) <= 40 else str(text)[:37] + "..."
        msg = f"not an encoded scenario ({type(exc).__name__}): {clipped!r}"
        raise InvalidScenario(msg) from None
    return scenario_from_dict(data, source="<encoded scenario>")


# --- files and built-ins ----------------------------------------------------


def load_file(path: str | os.PathLike[str]) -> Scenario:
    """Load one scenario file; errors name the file as given."""
    path = Path(path)
    return _load_text(_read_text(path, str(path)), str(path), path.stem)


def _read_text(path: Path, source: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{source}: no such scenario file"
        raise InvalidScenario(msg) from None
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{source}: cannot read ({type(exc).__name__}: {exc})"
        raise InvalidScenario(msg) from None


def _load_text(text: str, source: str, stem: str) -> Scenario:
    return scenario_from_dict(_parse_toml(text, source), source, default_name=stem)


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = " ".join(str(exc).split())  # the parser's "(at line 3, column 9)", one line
        msg = f"{source}: not valid TOML: {detail}"
        raise InvalidScenario(msg) from None


def _builtin_dir():
    return resources.files(__package__)


def builtin_names() -> list[str]:
    """Names of the scenario files shipped in ``interlock/scenarios/``, sorted."""
    return sorted(
        entry.name[: -len(".toml")]
        for entry in _builtin_dir().iterdir()
        if entry.name.endswith(".toml")
    )


@functools.cache
def _load_builtin(name: str) -> tuple[Scenario, str]:
    # Scenarios are frozen, so handing out one shared instance per name is safe.
    source = f"{name}.toml"
    text = _builtin_dir().joinpath(source).read_text(encoding="utf-8")
    data = _parse_toml(text, source)
    return scenario_from_dict(data, source, default_name=name), data.get("description", "")


def builtin_scenarios() -> list[Scenario]:
    """Every built-in scenario, in ``builtin_names()`` order."""
    return [_load_builtin(name)[0] for name in builtin_names()]


def builtin_description(name: str) -> str:
    """The ``description`` line of a built-in scenario ("" when it has none)."""
    _check_builtin(name)
    return _load_builtin(name)[1]


def _check_builtin(name: str) -> None:
    names = builtin_names()
    if name not in names:
        msg = f"unknown scenario {name!r} (built-in: {', '.join(names)})"
        raise InvalidScenario(msg)


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    """A built-in scenario by name, or a scenario file by path.

    A string that ends in ``.toml`` or contains a path separator is a path;
    any other string is a built-in name, or failing that an existing file.
    """
    text = os.fspath(name_or_path)
    looks_like_path = text.endswith(".toml") or "/" in text or os.sep in text
    if not looks_like_path:
        if text in builtin_names():
            return _load_builtin(text)[0]
        if not Path(text).is_file():
            _check_builtin(text)
    return load_file(text)

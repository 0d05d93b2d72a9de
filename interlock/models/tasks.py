"""What is to be downloaded: one ``TaskSpec`` per URL, gathered in a ``Scenario``."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._errors import InvalidScenario

__all__ = ["Scenario", "TaskSpec"]


@dataclass(frozen=True)
class TaskSpec:
    """One fake download: how long it takes (virtual seconds), whether it fails, how big it is."""

    url: str
    duration: float = 1.0
    fails: bool = False
    size: int = 64

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url:
            msg = f"'url' must be a non-empty string (got {self.url!r})"
            raise InvalidScenario(msg)
        if not isinstance(self.duration, (int, float)) or isinstance(self.duration, bool):
            msg = f"'duration' of {self.url!r} must be a number (got {self.duration!r})"
            raise InvalidScenario(msg)
        if not self.duration >= 0 or self.duration == float("inf"):
            msg = f"'duration' of {self.url!r} must be a finite number >= 0 (got {self.duration!r})"
            raise InvalidScenario(msg)
        if not isinstance(self.fails, bool):
            msg = f"'fails' of {self.url!r} must be true or false (got {self.fails!r})"
            raise InvalidScenario(msg)
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            msg = f"'size' of {self.url!r} must be an integer >= 0 (got {self.size!r})"
            raise InvalidScenario(msg)


@dataclass(frozen=True)
class Scenario:
    """The URLs with their durations and outcomes, plus ``limit``.

    ``seed`` makes payloads (and anything else derived) reproducible.
    ``budget`` is the virtual time within which a run must finish; by default
    ten times the downloads in series, plus five minutes: far more than the
    slowest correct subject needs, including one that polls every few seconds.
    """

    name: str
    tasks: tuple[TaskSpec, ...]
    limit: int
    seed: int = 0
    budget: float | None = None
    _by_url: dict[str, TaskSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tasks, tuple):
            object.__setattr__(self, "tasks", tuple(self.tasks))
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or self.limit < 1:
            msg = f"'limit' must be an integer >= 1 (got {self.limit!r})"
            raise InvalidScenario(msg)
        by_url: dict[str, TaskSpec] = {}
        for task in self.tasks:
            if task.url in by_url:
                msg = f"URL {task.url!r} appears twice in scenario {self.name!r}"
                raise InvalidScenario(msg)
            by_url[task.url] = task
        object.__setattr__(self, "_by_url", by_url)
        if self.budget is not None and not self.budget > 0:
            msg = f"'budget' must be > 0 virtual seconds (got {self.budget!r})"
            raise InvalidScenario(msg)

    @property
    def urls(self) -> list[str]:
        return [t.url for t in self.tasks]

    def task(self, url: str) -> TaskSpec | None:
        return self._by_url.get(url)

    @property
    def time_budget(self) -> float:
        """Virtual seconds a run may take before it counts as not terminating."""
        if self.budget is not None:
            return self.budget
        # Generous: on virtual time a long budget costs nothing to a subject that ends,
        # and a pool's own polling (a worker that wakes every 5 s to see whether it
        # should stop) must not count as failing to terminate.
        serial = sum(t.duration for t in self.tasks)
        return 10.0 * serial + 300.0

    def describe(self) -> str:
        """One line: name, size, limit, failures."""
        failing = sum(t.fails for t in self.tasks)
        return f"{self.name}: {len(self.tasks)} URLs, limit {self.limit}, {failing} failing"

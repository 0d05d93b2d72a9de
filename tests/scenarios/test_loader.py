"""Scenario files: the built-in set, the TOML format's rules, and the compact encodings."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pytest

from interlock.models import InvalidScenario, Scenario, TaskSpec
from interlock.scenarios import (
    builtin_description,
    builtin_names,
    builtin_scenarios,
    decode_scenario,
    encode_scenario,
    load_file,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
)

LIMIT_NAMES = [f"limit_{n}" for n in range(1, 9)]
EXPECTED_NAMES = sorted(
    ["all_fail", "article", "empty", "single", "slow_head", "tiny", "zero_duration", *LIMIT_NAMES]
)


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> Scenario:
    return load_file(write(tmp_path, text))


class TestBuiltins:
    """Every shipped scenario loads and has the shape its description promises."""

    def test_names_are_sorted_and_complete(self):
        assert builtin_names() == EXPECTED_NAMES

    def test_builtin_scenarios_follow_names(self):
        assert [s.name for s in builtin_scenarios()] == builtin_names()

    @pytest.mark.parametrize("name", EXPECTED_NAMES)
    def test_each_loads_by_name_with_a_description(self, name):
        scenario = load_scenario(name)
        assert scenario.name == name
        assert builtin_description(name).strip()

    @pytest.mark.parametrize("name", [n for n in EXPECTED_NAMES if n != "article"])
    def test_small_ones_are_fast_under_real_threads(self, name):
        # At 1 ms per virtual second, "tens of virtual seconds" in series is fast.
        assert sum(t.duration for t in load_scenario(name).tasks) <= 60

    def test_article(self):
        article = load_scenario("article")
        assert len(article.tasks) == 500
        assert article.limit == 4
        assert article.urls[0] == "doc-000.xml"
        assert article.urls[-1] == "doc-499.xml"
        assert all(1 <= t.duration <= 8 for t in article.tasks)
        assert {t.duration for t in article.tasks} == {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}
        assert 0.01 <= sum(t.fails for t in article.tasks) / 500 <= 0.04

    def test_article_is_pinned(self):
        # random.Random(int).random() is stable across Python versions; this pins it
        # so that a replay token naming "@article" means the same tasks everywhere.
        article = load_scenario("article")
        assert sum(t.fails for t in article.tasks) == 8
        assert sum(t.duration for t in article.tasks) == 2224
        assert [t.duration for t in article.tasks[:5]] == [3.0, 6.0, 4.0, 3.0, 5.0]

    def test_article_same_every_load(self, tmp_path):
        first = load_scenario("article")
        text = (Path(__file__).parents[2] / "interlock/scenarios/article.toml").read_text()
        assert load_text(tmp_path, text).tasks == first.tasks

    def test_tiny_has_five_equal_successes_above_limit_4(self):
        tiny = load_scenario("tiny")
        assert (len(tiny.tasks), tiny.limit) == (5, 4)
        assert len({t.duration for t in tiny.tasks}) == 1
        assert not any(t.fails for t in tiny.tasks)

    def test_empty_and_single(self):
        assert load_scenario("empty").tasks == ()
        assert load_scenario("empty").limit == 4
        assert load_scenario("single").urls == ["u0"]

    def test_all_fail(self):
        all_fail = load_scenario("all_fail")
        assert 3 <= len(all_fail.tasks) <= 10
        assert all(t.fails for t in all_fail.tasks)

    def test_slow_head(self):
        tasks = load_scenario("slow_head").tasks
        head, rest = tasks[0], tasks[1:]
        assert len(rest) >= 8
        assert head.duration >= 5 * max(t.duration for t in rest)
        assert head.url == "u0" and rest[0].url == "u1"

    def test_zero_duration(self):
        tasks = load_scenario("zero_duration").tasks
        assert tasks and all(t.duration == 0 for t in tasks)

    @pytest.mark.parametrize("n", range(1, 9))
    def test_limit_n_share_tasks_and_differ_in_limit(self, n):
        scenario = load_scenario(f"limit_{n}")
        assert scenario.limit == n
        assert scenario.tasks == load_scenario("limit_1").tasks
        assert len(scenario.tasks) == 12
        assert sum(t.fails for t in scenario.tasks) == 1
        assert len({t.duration for t in scenario.tasks}) > 1

    def test_urls_are_short(self):
        for scenario in builtin_scenarios():
            assert all(len(url) <= 12 for url in scenario.urls), scenario.name


class TestLoadScenario:
    """A name picks a built-in; a path picks a file; anything else is refused."""

    def test_unknown_name_lists_builtins(self):
        with pytest.raises(
            InvalidScenario, match=r"unknown scenario 'nope' \(built-in: all_fail, "
        ):
            load_scenario("nope")

    def test_path_to_file(self, tmp_path):
        path = write(tmp_path, "limit = 2\n[[task]]\nurl = 'a'\n", "mine.toml")
        assert load_scenario(str(path)) == Scenario("mine", (TaskSpec("a"),), limit=2)
        assert load_scenario(path).name == "mine"

    def test_extensionless_existing_file(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "limit = 3\n", "plain")
        assert load_scenario("plain").limit == 3

    def test_missing_file(self, tmp_path):
        with pytest.raises(InvalidScenario, match=r"gone\.toml: no such scenario file$"):
            load_scenario(str(tmp_path / "gone.toml"))

    def test_cached_builtin_is_equal_to_fresh_file_load(self):
        path = Path(__file__).parents[2] / "interlock/scenarios/limit_3.toml"
        assert load_file(path) == load_scenario("limit_3")

    def test_unknown_builtin_description(self):
        with pytest.raises(InvalidScenario, match="unknown scenario 'x'"):
            builtin_description("x")


class TestFileFormat:
    """What a scenario file may say, and how its defaults fill in."""

    def test_defaults(self, tmp_path):
        scenario = load_text(tmp_path, "limit = 1\n[[task]]\nurl = 'u0'\n")
        assert scenario == Scenario("bad", (TaskSpec("u0", 1.0, False, 64),), limit=1)
        assert scenario.seed == 0 and scenario.budget is None

    def test_every_top_level_key(self, tmp_path):
        scenario = load_text(
            tmp_path,
            'name = "x"\ndescription = ""\nlimit = 2\nseed = -5\nbudget = 7\n'
            "[[task]]\nurl = 'a'\nduration = 0\nfails = true\nsize = 0\n",
        )
        assert scenario == Scenario("x", (TaskSpec("a", 0, True, 0),), limit=2, seed=-5, budget=7)

    def test_inline_task_array(self, tmp_path):
        scenario = load_text(
            tmp_path, "limit = 1\ntask = [{url = 'a'}, {url = 'b', duration = 2.5}]"
        )
        assert scenario.tasks == (TaskSpec("a"), TaskSpec("b", 2.5))

    def test_tasks_come_before_generated(self, tmp_path):
        scenario = load_text(
            tmp_path,
            "limit = 1\n[[task]]\nurl = 'head'\n[generate]\ncount = 2\nduration_min = 0\n",
        )
        assert scenario.urls == ["head", "u0", "u1"]

    def test_dict_default_name(self):
        assert scenario_from_dict({"limit": 1}).name == "scenario"


class TestGenerate:
    """The [generate] table: reproducible, on its grid, named by its template."""

    def gen(self, tmp_path, body: str, seed: int = 0) -> Scenario:
        return load_text(tmp_path, f"limit = 1\nseed = {seed}\n[generate]\n{body}\n")

    def test_same_seed_same_tasks(self, tmp_path):
        body = "count = 50\nduration_min = 0\nduration_max = 5\nfail_rate = 0.3"
        assert self.gen(tmp_path, body, 11).tasks == self.gen(tmp_path, body, 11).tasks

    def test_other_seed_other_tasks(self, tmp_path):
        body = "count = 50\nduration_min = 0\nduration_max = 5\nfail_rate = 0.3"
        assert self.gen(tmp_path, body, 11).tasks != self.gen(tmp_path, body, 12).tasks

    def test_whole_second_grid_covers_both_ends(self, tmp_path):
        body = "count = 300\nduration_min = 1\nduration_max = 4\nduration_step = 1"
        durations = {t.duration for t in self.gen(tmp_path, body).tasks}
        assert durations == {1.0, 2.0, 3.0, 4.0}

    def test_default_step_is_milliseconds(self, tmp_path):
        tasks = self.gen(tmp_path, "count = 100\nduration_min = 0\nduration_max = 2").tasks
        assert all(0 <= t.duration <= 2 for t in tasks)
        assert all(t.duration == round(t.duration, 3) for t in tasks)
        assert len({t.duration for t in tasks}) > 50

    def test_fractional_step_has_no_float_noise(self, tmp_path):
        tasks = self.gen(
            tmp_path, "count = 200\nduration_max = 1\nduration_min = 0\nduration_step = 0.1"
        ).tasks
        assert {t.duration for t in tasks} <= {round(k / 10, 1) for k in range(11)}
        assert 1.0 in {t.duration for t in tasks}

    def test_one_bound_fixes_the_duration(self, tmp_path):
        assert {t.duration for t in self.gen(tmp_path, "count = 5\nduration_max = 2").tasks} == {
            2.0
        }
        assert {t.duration for t in self.gen(tmp_path, "count = 5\nduration_min = 0").tasks} == {
            0.0
        }
        assert {t.duration for t in self.gen(tmp_path, "count = 5").tasks} == {1.0}

    @pytest.mark.parametrize(("rate", "expected"), [(0, 0), (1, 40)])
    def test_fail_rate_extremes(self, tmp_path, rate, expected):
        tasks = self.gen(tmp_path, f"count = 40\nfail_rate = {rate}").tasks
        assert sum(t.fails for t in tasks) == expected

    def test_url_prefix_start_and_size(self, tmp_path):
        scenario = self.gen(tmp_path, "count = 3\nurl_prefix = 'job-'\nstart = 7\nsize = 9")
        assert scenario.urls == ["job-7", "job-8", "job-9"]
        assert {t.size for t in scenario.tasks} == {9}

    def test_url_template(self, tmp_path):
        scenario = self.gen(tmp_path, "count = 2\nurl_template = 'doc-{i:03d}.xml'")
        assert scenario.urls == ["doc-000.xml", "doc-001.xml"]

    def test_count_zero(self, tmp_path):
        assert self.gen(tmp_path, "count = 0").tasks == ()


BAD_FILES = [
    # (file text, the message after "bad.toml: ")
    ("limit = 0", r"'limit' must be an integer >= 1 \(got 0\)"),
    ("limit = '4'", r"'limit' must be an integer >= 1 \(got '4'\)"),
    ("limit = true", r"'limit' must be an integer >= 1 \(got True\)"),
    ("name = 'x'", r"'limit' is required \(an integer >= 1\)"),
    ("limit = 1\nlimt = 2", r"unknown key 'limt' \(did you mean 'limit'\?\)"),
    ("limit = 1\nzzz = 2", r"unknown key 'zzz' \(allowed: budget, description, generate, "),
    ("limit = 1\nname = ''", r"'name' must be a non-empty string \(got ''\)"),
    ("limit = 1\nname = 3", r"'name' must be a non-empty string \(got 3\)"),
    ("limit = 1\ndescription = 3", r"'description' must be a string \(got 3\)"),
    ("limit = 1\nseed = 1.5", r"'seed' must be an integer \(got 1.5\)"),
    ("limit = 1\nbudget = 0", r"'budget' must be a finite number > 0 \(got 0\)"),
    ("limit = 1\nbudget = inf", r"'budget' must be a finite number > 0 \(got inf\)"),
    (
        "limit = 1\n[task]\nurl = 'a'",
        r"'task' must be an array of tables \(\[\[task\]\]\) \(got \{",
    ),
    ("limit = 1\ntask = [1]", r"'task\[0\]' must be a table \(got 1\)"),
    ("limit = 1\n[[task]]\nduration = 1", r"'task\[0\].url' is required$"),
    ("limit = 1\n[[task]]\nurl = ''", r"'task\[0\].url' must be a non-empty string \(got ''\)"),
    (
        "limit = 1\n[[task]]\nurl = 'a'\n[[task]]\nurl = 'b'\nduration = -1",
        r"'task\[1\].duration' must be a finite number >= 0 \(got -1\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\nduration = nan",
        r"'task\[0\].duration' must be a finite number >= 0 \(got nan\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\nduration = '1'",
        r"'task\[0\].duration' must be a finite number >= 0 \(got '1'\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\nfails = 1",
        r"'task\[0\].fails' must be true or false \(got 1\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\nsize = -1",
        r"'task\[0\].size' must be an integer >= 0 \(got -1\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\nsped = 1",
        r"unknown key 'sped' in \[task\[0\]\] \(allowed: duration, fails, size, url\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'a'\n[[task]]\nurl = 'a'",
        r"URL 'a' appears twice \(task\[0\] and task\[1\]\)",
    ),
    (
        "limit = 1\n[[task]]\nurl = 'u1'\n[generate]\ncount = 3",
        r"URL 'u1' appears twice \(task\[0\] and generate\[1\]\)",
    ),
    ("limit = 1\ngenerate = 3", r"'generate' must be a table \(\[generate\]\) \(got 3\)"),
    (
        "limit = 1\n[generate]\nduration_min = 1",
        r"'generate.count' is required \(an integer >= 0\)$",
    ),
    ("limit = 1\n[generate]\ncount = -1", r"'generate.count' must be an integer >= 0 \(got -1\)"),
    (
        "limit = 1\n[generate]\ncount = 10000000",
        r"'generate.count' must be at most 100000 \(got 10000000\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nfail_rate = 1.5",
        r"'generate.fail_rate' must be a finite number in \[0, 1\] \(got 1.5\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nfail_rate = -0.1",
        r"'generate.fail_rate' must be a finite number in \[0, 1\] \(got -0.1\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nduration_min = -2",
        r"'generate.duration_min' must be a finite number >= 0 \(got -2\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nduration_max = -2",
        r"'generate.duration_max' must be a finite number >= 0 \(got -2\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nduration_min = 3\nduration_max = 2",
        r"'generate.duration_max' must be >= duration_min \(3\) \(got 2\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nduration_step = 0",
        r"'generate.duration_step' must be a finite number > 0 \(got 0\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_template = 'u'",
        r"'generate.url_template' must be a format string using only \{i\}, e.g. 'u\{i\}' \(got 'u'\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_template = 'u{j}'",
        r"'generate.url_template' must be a format string using only \{i\}",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_template = 'u{i:q}'",
        r"'generate.url_template' must be a format string using only \{i\}",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_template = 'u{i'",
        r"'generate.url_template' must be a format string using only \{i\}",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_template = 'u{i}'\nurl_prefix = 'v'",
        r"give 'generate.url_template' or 'generate.url_prefix', not both$",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nurl_prefix = 2",
        r"'generate.url_prefix' must be a string \(got 2\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\nstart = -1",
        r"'generate.start' must be an integer >= 0 \(got -1\)",
    ),
    (
        "limit = 1\n[generate]\ncount = 1\ncuont = 1",
        r"unknown key 'cuont' in \[generate\] \(did you mean 'count'\?\)",
    ),
    ("limit = 1\n[generate]\ncount = 2\nurl_prefix = ''\nurl_template = ''", r"give .*, not both$"),
    ("limit = = 1", r"not valid TOML: .*\(at line 1, column 9\)$"),
    ("limit = 1\n[[task]]\nurl = a", r"not valid TOML: .*\(at line 3, column \d+\)$"),
    ("limit = 1\nlimit = 2", r"not valid TOML: .*\(at line 2, column \d+\)$"),
]


class TestErrors:
    """Each rule's message: one line, naming the file, the key and what was got."""

    @pytest.mark.parametrize(("text", "message"), BAD_FILES)
    def test_message(self, tmp_path, text, message):
        path = write(tmp_path, text + "\n")
        with pytest.raises(InvalidScenario, match=re.escape(str(path)) + ": " + message) as info:
            load_file(path)
        assert "\n" not in str(info.value)

    def test_builtin_source_is_its_file_name(self, tmp_path):
        # The example in the brief: messages start with the file name.
        path = write(tmp_path, "limit = 0\n", "tiny.toml")
        with pytest.raises(InvalidScenario) as info:
            load_file(path)
        assert str(info.value).endswith("tiny.toml: 'limit' must be an integer >= 1 (got 0)")

    def test_dict_source(self):
        with pytest.raises(
            InvalidScenario, match=r"^here: 'limit' must be an integer >= 1 \(got 0\)$"
        ):
            scenario_from_dict({"limit": 0}, source="here")

    def test_dict_huge_integer_duration(self):
        data = {"limit": 1, "task": [{"url": "a", "duration": 10**400}]}
        with pytest.raises(
            InvalidScenario, match=r"'task\[0\].duration' must be a finite number >= 0"
        ):
            scenario_from_dict(data)

    def test_dict_must_be_a_mapping(self):
        with pytest.raises(
            InvalidScenario, match=r"^<dict>: a scenario must be a table of keys \(got list\)$"
        ):
            scenario_from_dict([1, 2])  # type: ignore[arg-type]

    def test_undecodable_file(self, tmp_path):
        path = tmp_path / "latin.toml"
        path.write_bytes(b"limit = 1\nname = '\xff'\n")
        with pytest.raises(InvalidScenario, match=r"latin\.toml: cannot read \(UnicodeDecodeError"):
            load_file(path)


class TestRoundTrip:
    """scenario_to_dict / scenario_from_dict and encode / decode give back the same scenario."""

    def test_builtins_round_trip(self):
        for scenario in builtin_scenarios():
            assert scenario_from_dict(scenario_to_dict(scenario)) == scenario
            assert decode_scenario(encode_scenario(scenario)) == scenario

    def test_dict_leaves_out_defaults(self):
        scenario = Scenario("s", (TaskSpec("a"), TaskSpec("b", 2.0, True, 5)), limit=2)
        assert scenario_to_dict(scenario) == {
            "name": "s",
            "limit": 2,
            "task": [{"url": "a"}, {"url": "b", "duration": 2.0, "fails": True, "size": 5}],
        }

    def test_dict_keeps_seed_budget_and_int_durations(self):
        scenario = Scenario("s", (TaskSpec("a", 1),), limit=1, seed=3, budget=9.5)
        data = scenario_to_dict(scenario)
        assert data["seed"] == 3 and data["budget"] == 9.5
        assert type(scenario_from_dict(data).tasks[0].duration) is int

    def test_encoding_is_url_safe_and_compact(self):
        article = load_scenario("article")
        text = encode_scenario(article)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
        assert len(text) < len(json.dumps(scenario_to_dict(article))) / 4

    @pytest.mark.parametrize(
        "garbage",
        ["", "not base64 !!", "AAAA", base64.urlsafe_b64encode(zlib.compress(b"[1]")).decode()],
    )
    def test_decode_garbage(self, garbage):
        with pytest.raises(InvalidScenario) as info:
            decode_scenario(garbage)
        assert "\n" not in str(info.value)

    def test_decode_garbage_message(self):
        with pytest.raises(
            InvalidScenario, match=r"^not an encoded scenario \(\w+\): 'x{37}\.\.\.'$"
        ):
            decode_scenario("x" * 60)

    def test_decode_valid_json_but_bad_scenario(self):
        raw = zlib.compress(json.dumps({"limit": 0}).encode())
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        with pytest.raises(InvalidScenario, match=r"^<encoded scenario>: 'limit' must be"):
            decode_scenario(text)

    def test_decode_truncated(self):
        text = encode_scenario(load_scenario("limit_4"))
        with pytest.raises(InvalidScenario, match="not an encoded scenario"):
            decode_scenario(text[: len(text) // 2])

    def test_decode_refuses_a_zlib_bomb(self):
        raw = zlib.compress(b" " * (20 * 1024 * 1024), 9)
        with pytest.raises(InvalidScenario, match=r"not an encoded scenario \(ValueError\)"):
            decode_scenario(base64.urlsafe_b64encode(raw).decode())

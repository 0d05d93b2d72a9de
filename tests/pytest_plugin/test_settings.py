"""The pytest plugin, exercised in real pytest sessions (pytester)."""

from __future__ import annotations

import pytest

SEMAPHORE_POOL = """
import threading

def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    results = {}

    def one(url):
        with slots:
            try:
                results[url] = fetch(url)
            except OSError as exc:
                results[url] = exc

    threads = [threading.Thread(target=one, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [results[u] for u in urls]
"""


@pytest.mark.timeout(120)
def test_assert_holds_passes_for_a_correct_pool(pytester):
    pytester.makepyfile(pool=SEMAPHORE_POOL)
    pytester.makepyfile(
        test_pool="""
        import pool

        def test_limit(interlock):
            interlock.assert_holds(pool.download_all, "max_in_flight", "no_deadlock", scenarios=["tiny", "limit_2"])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["interlock: runtime=controlled, seed=0, runs=default"])


@pytest.mark.timeout(120)
def test_assert_holds_fails_with_evidence_and_replay(pytester):
    pytester.makepyfile(
        test_article="""
        import pytest

        @pytest.mark.interlock(runs=30, seed=2)
        def test_article(interlock):
            interlock.assert_holds("article_queue", "max_in_flight", scenarios=["tiny"])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*interlock: article_queue broke 1 invariant(s) in * runs",
            "*max_in_flight: 5 downloads in flight at t=*; limit is 4 [[]scenario tiny*[]]",
            "*replay: interlock replay il1.*",
            "*<-- 5 in flight, limit 4",
        ]
    )


@pytest.mark.timeout(120)
def test_assert_breaks_returns_the_violation(pytester):
    pytester.makepyfile(
        test_breaks="""
        def test_breaks(interlock):
            verdict = interlock.assert_breaks("article_queue", "max_in_flight", scenarios=["tiny"])
            assert verdict.message.startswith("5 downloads in flight")
            assert verdict.replay.startswith("il1.")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "ini", "marker", "message"),
    [
        (["--interlock-seed", "x"], "", "", "Invalid interlock seed 'x' from command line"),
        ([], "interlock_runs = 0", "", "Invalid interlock runs '0' from ini file"),
        ([], "", "runtime='os'", "Invalid interlock runtime 'os' from marker"),
        ([], "", "colour=3", "Invalid interlock marker keyword 'colour'"),
    ],
)
def test_bad_settings_name_their_source(pytester, args, ini, marker, message):
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.interlock({marker})
        def test_x(interlock):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    assert message in result.stdout.str() + result.stderr.str()
    assert result.ret != 0


def test_unknown_invariant_is_a_usage_error(pytester):
    pytester.makepyfile(
        test_unknown="""
        def test_x(interlock):
            interlock.assert_holds("executor_map", "max_in_flite", scenarios=["single"])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert "unknown invariant(s) ['max_in_flite']" in result.stdout.str() + result.stderr.str()
    assert result.ret != 0

"""ThreadPoolExecutor with ``limit`` workers, for runs of 10,000 and 100,000 URLs.

Class 7 (scale). Correct code: the reference shape (one future per URL,
exceptions kept per URL, the ``with`` block joins the workers), written so
that memory stays flat on huge inputs: at most ``2 * limit`` futures are
pending at once, and a new one is submitted as soon as any pending one is
done (``wait(..., FIRST_COMPLETED)``), so no slot idles behind a slow head.
Run it on the scenario files that ``make_scale_scenario.py`` writes
(``/tmp/scale_10000.toml``, ``/tmp/scale_100000.toml``).

Today: right on the default scenarios (3 s); on /tmp/scale_10000.toml and
scale_100000.toml false FAIL max_in_flight "15 downloads in flight at
t=1251.000s ...; limit is 8" and false FAIL terminates "livelock: 200001
scheduling decisions" (9-10 s).
"""

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

NAME = "scale_executor"
ORIGIN = (
    "Written for the fidelity corpus: a bounded-window ThreadPoolExecutor for very long URL lists."
)
BREAKS = {}


def download_all(urls, fetch, limit):
    results = [None] * len(urls)
    pending = {}  # future -> index
    next_index = 0
    with ThreadPoolExecutor(max_workers=limit) as pool:
        while next_index < len(urls) or pending:
            while next_index < len(urls) and len(pending) < 2 * limit:
                pending[pool.submit(fetch, urls[next_index])] = next_index
                next_index += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    results[index] = future.result()
                except Exception as exc:
                    results[index] = exc
    return results

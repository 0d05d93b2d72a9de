"""The reference: ``concurrent.futures.ThreadPoolExecutor``, failures kept per URL.

Source: not from the article "Multi-threading in Python" (``seed/article.txt``)
but the standard library's answer to its problem, which arrived with Python
3.2: the "complex solution outside the scope of this article" is now a few
lines. It is the subject every invariant holds for.

- ``max_workers=limit`` bounds the downloads: each worker thread runs one
  call at a time, and there are never more than ``limit`` of them.
- A worker takes the next call the moment it is free, so no download waits
  behind a slow one.
- Each URL gets its own future, so one failure does not hide the others.
  (``executor.map`` would re-raise the first failure while iterating and lose
  every result after it; that is why each call is submitted on its own.)
- Leaving the ``with`` block calls ``shutdown(wait=True)``, which joins the
  worker threads, so none is left behind when ``download_all`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["download_all"]

NAME = "executor_map"
ORIGIN = (
    "The standard library's ThreadPoolExecutor(max_workers=limit), one future per URL, "
    "results or exceptions collected in URL order: the reference subject."
)
BREAKS: dict[str, str] = {}


def download_all(
    urls: list[str], fetch: Callable[[str], bytes], limit: int
) -> list[bytes | BaseException]:
    """Results in URL order: the payload, or the exception that URL's fetch raised."""
    results = []
    with ThreadPoolExecutor(max_workers=limit) as executor:
        futures = [executor.submit(fetch, url) for url in urls]
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:
                # Only Exception: anything rarer (KeyboardInterrupt, a runtime
                # asking the run to stop) should go on stopping the caller.
                results.append(exc)
    return results

"""A bad target: ``download_all`` is a coroutine function.

Class 10 (bad targets). Calling it returns a coroutine object, never a list,
and runs none of its body, so no URL is downloaded. It has the right
signature, so a check of the parameters alone lets it through. The expected
answer is "bad input": one line saying it is ``async def``, exit status 2
(or, at least, not a crash of the verifier).

Today: accepted and run: FAIL no_crash "download_all raised TypeError:
'coroutine' object is not iterable" [empty], exit 1, not bad input.
"""

import asyncio

NAME = "async_download_all"
ORIGIN = "Written for the fidelity corpus: an async def download_all."
BREAKS = {}


async def download_all(urls, fetch, limit):
    slots = asyncio.Semaphore(limit)

    async def one(url):
        async with slots:
            try:
                return await asyncio.to_thread(fetch, url)
            except OSError as exc:
                return exc

    return await asyncio.gather(*(one(url) for url in urls))

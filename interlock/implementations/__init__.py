"""The built-in subjects: one module per concurrency pattern, each a plain
``download_all(urls, fetch, limit)`` with its metadata (NAME, ORIGIN, BREAKS,
RARE_WITH_THREADS).

They import the standard library only and are meant to be read: most are
ported from the article "Multi-threading in Python" and its readers' comments,
defects included on purpose, so that interlock has something real to find.
"""

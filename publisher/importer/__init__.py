"""Moving a podcast in: a show and its episodes from another host's RSS feed.

- ``fetch.py``: HTTP for feeds and media — bounded, streamed, retried with backoff,
  resumable (``.part`` files continue with a Range request), never whole in memory.
- ``feed.py``: the feed read with feedparser (lxml for the Podcasting 2.0 tags it
  misses) into plain dataclasses, with the problems people need to hear about.
- ``run.py``: the import job — the show once, then every episode not imported yet
  (matched by guid), each in its own transaction, media downloaded in parallel.
- ``cli.py``: ``flask --app wsgi shows import SOURCE [--no-media|--with-media]``.

See docs/import.md.
"""

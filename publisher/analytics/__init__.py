"""Listener analytics: who is a client, when requests add up to a download, and stats.

- ``useragents``: app name and bot flag from the OPAWG podcast user-agent list (data/).
- ``clients``: the daily salted client hash (raw IPs are never stored) and ProxyFix.
- ``counting``: the IAB-style rules and the recording that never breaks delivery.
- ``stats``, ``chart``: per-day numbers for producers, as JSON, CSV or an SVG chart.
- ``cli``: ``flask --app wsgi stats SHOW`` and ``stats prune``.
"""

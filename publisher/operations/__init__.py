"""Every write any surface makes, in one layer: shows, episodes, articles, tags, users and
tokens (and the look-ups that decide what a caller may see).

The API, the CLI, the demo, direct uploads — and next the studio, the importer and the
jobs — call these functions with one validated input type each (``fields.py`` holds the
shared field types and limits). They flush and never commit: the edge (a request, a CLI
command, a job) commits once, and a rollback leaves neither a row nor a stored object
(see ``publisher.media.cleanup``). Nothing here imports a surface.
"""

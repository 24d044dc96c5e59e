"""Media: probing uploaded audio (probe/), storing it (storage/), and the
all-or-nothing path from upload to episode row (ingest.py)."""

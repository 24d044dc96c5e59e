"""Media: probing uploaded audio (probe.py), storing it (storage.py), and the
all-or-nothing path from upload to episode row (ingest.py)."""

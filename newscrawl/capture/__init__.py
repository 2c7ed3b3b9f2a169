"""What was fetched: kept as WARC records (warc.py) and read back for reparse (replay.py)."""

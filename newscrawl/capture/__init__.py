"""What was fetched: kept as WARC (warc.py), re-read (replay.py), watched for drift (drift.py)."""

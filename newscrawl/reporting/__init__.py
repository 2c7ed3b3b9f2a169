"""The end of a run (report.py): did it work, its summary line, last-run.json, its exit status.

An extension above the floors it reads: the stats every component kept, the state keeper's
places, the transport's sentences for what a server did, the feeds' count of what was written.
"""

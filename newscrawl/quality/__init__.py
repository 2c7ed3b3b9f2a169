"""How well the parser reads the site, run after run (drift.py)."""

"""Discovery: what a URL is, which requests a run makes, and which it may skip."""

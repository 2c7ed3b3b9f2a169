"""Output: the committing feed exporters and the recovery of files a killed run left."""

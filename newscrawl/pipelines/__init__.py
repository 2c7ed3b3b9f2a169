"""Item pipelines, in order: clean, validate, dedupe, limit."""

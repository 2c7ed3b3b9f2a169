"""A run's contract: arguments and settings checked, where it keeps things, how it ends.

arguments, config (the settings registry) and preflight check what a run was given before
its first request; places resolves state and output against the project root; report,
errors and runtime turn a run's outcome into its summary, last-run.json and exit status.
"""

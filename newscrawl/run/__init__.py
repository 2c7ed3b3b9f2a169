"""A run's contract, the ground floor every other package stands on (imports none of them).

arguments (the spider's) and config (the registry of settings) say what a run may be given;
errors the exit statuses and the failures behind them; runtime how a run is ended on purpose;
places where state and output go (the project root); files how they are written through;
signals newscrawl's own signals; logformatter how drops are logged.
"""

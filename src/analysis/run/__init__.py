"""The quarterly run: intake, measures and report in order, locked, logged and reused."""

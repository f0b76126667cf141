"""Queries and units of work. Views call these; these call the rules."""

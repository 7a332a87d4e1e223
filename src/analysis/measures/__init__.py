"""Stage 2: the period's measures (tiers, targets, plans, history) computed from the panel."""

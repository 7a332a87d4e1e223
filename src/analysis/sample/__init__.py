"""A fictional city's workbooks, in the offices' own layouts, for trying the suite out."""

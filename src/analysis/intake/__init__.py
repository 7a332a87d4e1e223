"""Stage 1 of the pipeline: the offices' workbooks read, checked and joined into one panel."""

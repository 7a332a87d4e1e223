"""Stage 3: the measures formatted for officials (tables, charts, narrative, HTML, Word)."""

"""tenplans: quarterly monitoring of the city's ten-plan industrial programme."""

import os

# Arrow's columns come and go within one ingest: the system allocator hands their memory
# back, where Arrow's default (mimalloc) keeps ~45 MB more resident at 100k rows and is no
# faster (benchmarks/bench_ingest.py). Read by pyarrow when first imported; a choice made
# in the environment stands.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

__version__ = "0.1.0"

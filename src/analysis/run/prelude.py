"""Loaded into each of the run's kernels as it starts (kernels.WarmKernels), while the
intake still works: the imports the report notebooks make, as the runner read them from
the notebooks (kernels.imports_of), made ahead. An IPython extension without a load
function: importing it is all it does, and it binds no name in the notebook. A module that
fails here is reported in the run's log and fails again, in its notebook's cell."""

import json
import os

for _module, _names in json.loads(os.environ.get("TENPLANS_PRELUDE", "[]")):
    __import__(_module, fromlist=_names)

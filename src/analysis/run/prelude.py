"""What every report notebook imports, loaded into each of the run's kernels as it starts
(kernels.WarmKernels), while the intake still works. An IPython extension without a load
function: importing it is all it does, and it binds no name in the notebook."""

import IPython.display  # noqa: F401

from analysis.measures import products, targets  # noqa: F401
from analysis.report import charts, formatting, narrative  # noqa: F401

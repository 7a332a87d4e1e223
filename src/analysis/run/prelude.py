"""Loaded into each of the run's kernels that is launched rather than forked
(kernels.WarmKernels), as it starts, while the intake still works: the imports the report
notebooks make, made ahead (forkserver.import_ahead). An IPython extension without a load
function: importing it is all it does, and it binds no name in the notebook."""

from analysis.run.forkserver import import_ahead

import_ahead()

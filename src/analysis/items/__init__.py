"""The programme item by item (逐个): the named lists of params/lists.yaml, each item
matched to the period's returns and judged on its own line.

A stage of the pipeline between the intake and the measures: `lists` reads the named
lists, `matching` finds each item in a return (by id or code, then by name), `judging`
gives each item its target, actual and status. The measures compute a list's indicator
from its items, so the total and the items never disagree.
"""

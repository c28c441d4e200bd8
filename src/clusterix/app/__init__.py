"""The application layer: one :class:`Workspace` and one use-case module per capability.

Every face calls only this layer: the command line (:mod:`clusterix.cli`), the REST API and
the HTML pages (:mod:`clusterix.web`). Each use case takes the workspace and returns a typed,
JSON-ready result (:mod:`clusterix.app.results`), so the same request gives the same answer
whichever face asks.

==========================  =========================================================
module                      capability
==========================  =========================================================
``datasets``                what is loaded; a stored dataset as a long table; activities
``regions``                 NUTS regions, one region with its boundary, map indicators
``profile``                 region profiles (stored dataset or a user's table)
``peers``                   structurally similar regions
``complementarity``         research x industry complementarity between regions
``partners``                organisations, the partner recommender and its results
``partnerships``            the partnership tracker as a viewer may see it
``accounts``                users of the web platform
``imports``                 importing files and reference data into the store
``demo``                    the demo store from real public data
==========================  =========================================================
"""

from clusterix.app.background import NotReadyError
from clusterix.app.workspace import Workspace

__all__ = ["NotReadyError", "Workspace"]

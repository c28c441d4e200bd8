"""``python -m clusterix``."""

from clusterix.cli import main

main()

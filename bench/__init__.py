"""The jobtable benchmark: jobtable side by side with its peers (moto, dynalite) in one run.

Run it with ``make bench`` or ``python -m bench.run --help``. Results land in
``bench/results/<timestamp>.json`` and ``.md``; ``--write-docs`` refreshes docs/performance.md.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jobs_endpoints import client, clock, endpoint, store, jobs_table  # noqa: E402,F401  (fixtures)

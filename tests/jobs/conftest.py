import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jobs_endpoints import client, clock, endpoint, store, table_name  # noqa: E402,F401  (fixtures)

"""The database: storage, catalog, items, indexes, reads. No HTTP and no wire parsing."""
from jobtable.engine.engine import Engine

__all__ = ["Engine"]

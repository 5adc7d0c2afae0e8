"""The review database: engine and migrations (:mod:`~realist.store.db`), the
SQLAlchemy models (:mod:`~realist.store.models`) and the event log
(:mod:`~realist.store.events`).  The package itself exports nothing.
"""

__all__: list[str] = []

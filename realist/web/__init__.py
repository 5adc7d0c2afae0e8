"""The team web app (``realist serve``): accounts, screening, conflicts, dashboard.

``create_app`` builds the ASGI app for review folders in one store;
``server.running`` serves one in a thread on a free port (tests).
"""

from __future__ import annotations

from .app import create_app
from .store import WebStore, open_store

__all__ = ["create_app", "WebStore", "open_store"]

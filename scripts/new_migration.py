"""Developer tool: autogenerate an Alembic revision from the live models.

Usage: .venv/bin/python scripts/new_migration.py "message" 0002
Review the generated file: revisions must not import realist.store.models.
"""

import sys
import tempfile

from alembic import command

from realist.store.db import _alembic_config, make_engine, upgrade
from realist.store.models import Base

d = tempfile.mkdtemp()
eng = make_engine(f"sqlite:///{d}/x.db")
upgrade(eng)
cfg = _alembic_config(eng)
cfg.attributes["target_metadata"] = Base.metadata
command.revision(cfg, message=sys.argv[1], autogenerate=True, rev_id=sys.argv[2])

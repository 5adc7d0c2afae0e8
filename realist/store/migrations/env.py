"""Alembic environment: the engine comes from realist, never from a .ini URL.

``target_metadata`` is given only when a developer autogenerates a new
revision (see docs/architecture.md); running migrations never imports the
live models.
"""

from alembic import context

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=context.config.attributes.get("target_metadata"),
        render_as_batch=True,
    )
    context.run_migrations()

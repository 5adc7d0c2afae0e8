"""api_token.last_used_at: when a personal API token was last used

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Null means "never used".  The account page lists it beside each token's
name and creation time; it is written at most once a minute per token.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")

"""per-member highlight terms (as in Rayyan: each person keeps their own)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

``membership.highlights`` holds a member's own inclusion and exclusion
highlight terms (``{"include": [...], "exclude": [...]}``); NULL means the
member has not set any and sees the protocol's terms.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("highlights", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("highlights")

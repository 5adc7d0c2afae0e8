"""ranking version (per-process copies of an order checked by one number); decisions by reviewer

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

``ranking.version`` goes up by one each time a reviewer's order is stored:
an app process keeps its copy of the order (a 50,000-id JSON array is
costly to read on every request) only while the stored version is the one
it read.  ``ix_decision_review_id_stage_reviewer`` serves the questions
asked of one reviewer's decisions (how many since the order was computed).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ranking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_decision_review_id_stage_reviewer", "decision", ["review_id", "stage", "reviewer"])


def downgrade() -> None:
    op.drop_index("ix_decision_review_id_stage_reviewer", table_name="decision")
    with op.batch_alter_table("ranking", schema=None) as batch_op:
        batch_op.drop_column("version")

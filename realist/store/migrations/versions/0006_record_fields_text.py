"""record fields as imported are unbounded text

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

SQLite ignores declared lengths, PostgreSQL enforces them: a Web of Science
export whose issue field (``IS``) holds a 140-character conference name
imported into SQLite and failed on PostgreSQL.  Every field a record takes
from an outside file, and a source's name and format, become TEXT; identifiers
that realist normalises itself keep no length limit either, since a
malformed file can put anything there; so do study keys and code names,
which people choose.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RECORD_FIELDS = {
    "volume": 100,
    "issue": 100,
    "pages": 100,
    "doi": 300,
    "pmid": 20,
    "pmcid": 20,
    "openalex_id": 30,
    "issn": 100,
    "language": 50,
    "publication_type": 100,
}
SOURCE_FIELDS = {"name": 200, "format": 50}
# Names people choose: a study's key and the codes of their codebook.
OTHER_FIELDS = {"study": {"key": 100}, "coding": {"code": 100}, "cmoc_element": {"code": 100}}


def _alter(table: str, fields: dict[str, int], to_text: bool) -> None:
    with op.batch_alter_table(table) as batch:
        for column, length in fields.items():
            batch.alter_column(
                column,
                existing_type=sa.String(length) if to_text else sa.Text(),
                type_=sa.Text() if to_text else sa.String(length),
            )


def upgrade() -> None:
    _alter("record", RECORD_FIELDS, True)
    _alter("source", SOURCE_FIELDS, True)
    for table, fields in OTHER_FIELDS.items():
        _alter(table, fields, True)


def downgrade() -> None:
    for table, fields in OTHER_FIELDS.items():
        _alter(table, fields, False)
    _alter("source", SOURCE_FIELDS, False)
    _alter("record", RECORD_FIELDS, False)

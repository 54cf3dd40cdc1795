"""indexes for reading a large log: entries not deleted by date; entries in conflict on
PostgreSQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:30:00

An académie's store holds 600,000 accompaniments (docs/performance.md). The log screen filters
them by school year and counts the matches; the walk counts them by year for computed
indicators. Every such query asks for entries not deleted within dates: with an index on the
date alone each match was looked up in the table to read ``deleted`` (a year's count took
seconds). ``ix_accompaniments_deleted_date`` answers them from the index.

``ix_accompaniments_in_conflict`` (migration 0006) was partial on SQLite only: on PostgreSQL it
was created as a plain index on the date, and finding the entries in conflict (every time the
log is shown) read the whole table. It is now partial on both engines.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

IN_CONFLICT = "json_array_length(conflicts) > 0"


def upgrade() -> None:
    op.create_index(
        "ix_accompaniments_deleted_date", "accompaniments", ["deleted", "date"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_accompaniments_in_conflict", table_name="accompaniments")
        op.create_index(
            "ix_accompaniments_in_conflict",
            "accompaniments",
            ["date"],
            unique=False,
            postgresql_where=sa.text(IN_CONFLICT),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_accompaniments_in_conflict", table_name="accompaniments")
        op.create_index("ix_accompaniments_in_conflict", "accompaniments", ["date"], unique=False)
    op.drop_index("ix_accompaniments_deleted_date", table_name="accompaniments")

"""accompaniments: arrival by exchange, folded search text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:10:00

An entry received new by an exchange records when it arrived, instead of a history row that
would copy it whole: its first version is the row itself until it changes. The log's search
looks through ``search_text``: theme and notes without case or accents (revue.domain.french.fold),
filled here for the entries already stored (docs/performance.md).
"""

import sqlalchemy as sa
from alembic import op

from revue.domain.french import fold

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, theme, notes FROM accompaniments")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE accompaniments SET search_text = :folded WHERE id = :id"),
            [{"id": ident, "folded": fold(f"{theme}\n{notes}")} for ident, theme, notes in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.drop_column("search_text")
        batch_op.drop_column("received_at")

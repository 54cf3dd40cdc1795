"""accompaniments received by exchange

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:10:00

An entry received new by an exchange records when it arrived, instead of a history row that
would copy it whole: its first version is the row itself until it changes (docs/performance.md).
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accompaniments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accompaniments', schema=None) as batch_op:
        batch_op.drop_column('received_at')

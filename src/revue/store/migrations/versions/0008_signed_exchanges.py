"""signed exchanges: the store's key, colleagues' keys, who signed each received version

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

Exchange format 2 signs every version with the key of the store that made it
(docs/format-echange.md). The store keeps its own private key (``store_key``, made the first
time it is needed), the public keys it accepted (``known_keys``) and, for a version received
signed, the fingerprint of the key that signed it and the signature, to relay them unchanged.
Entries already stored keep their versions as they are: nothing to rewrite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "known_keys",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signer")
    op.drop_table("known_keys")
    op.drop_table("store_key")

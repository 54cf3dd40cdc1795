"""Alembic environment: revue runs migrations itself, on the connection it hands over."""

from alembic import context

from revue.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: let later migrations copy tables
)
with context.begin_transaction():
    context.run_migrations()

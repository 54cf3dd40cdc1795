"""The schema version this revue writes, and those it knows how to upgrade from.

Kept apart from the engine code so that reading a store's version (``revue contract list``'s
quick path, ``revue check``) loads neither SQLAlchemy's ORM nor Alembic.
"""

from __future__ import annotations

SCHEMA_HEAD = "0008"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")

"""projets académiques in full: the whole document as JSON, and the imported file's text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:30:00

Format version 2 of the projet académique (docs/format-contrat.md) nests parts at any depth
and gives objectives introductions, lists, leviers under leviers, example actions and
resources: the two fixed tables ``academic_axes`` and ``academic_objectives`` cannot hold it.
The projet's tree is now one JSON document in ``academic_projects.document`` (the plain data
of ``revue.domain.academic``), and ``academic_projects.source`` keeps the text of the file it
came from, so that ``revue academic export`` writes it back with its comments. Projets stored
before are converted (their codes, titles, texts, leviers and criteria kept; their source is
empty, so they export in the canonical text), then the two tables are dropped.
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("academic_projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("source", sa.Text(), server_default="", nullable=False))
    conn = op.get_bind()
    projects = conn.execute(sa.text("SELECT id FROM academic_projects")).all()
    for (project_id,) in projects:
        axes = []
        for axis_id, code, title, text in conn.execute(
            sa.text(
                "SELECT id, code, title, text FROM academic_axes WHERE project_id = :p "
                "ORDER BY position"
            ),
            {"p": project_id},
        ).all():
            objectives = [
                {
                    "title": o_title,
                    "code": o_code,
                    "levers": [{"text": t} for t in json.loads(levers or "[]")],
                    "criteria": list(json.loads(criteria or "[]")),
                }
                for o_code, o_title, levers, criteria in conn.execute(
                    sa.text(
                        "SELECT code, title, levers, criteria FROM academic_objectives "
                        "WHERE axis_id = :a ORDER BY position"
                    ),
                    {"a": axis_id},
                ).all()
            ]
            axes.append({"title": title, "code": code, "text": text, "objectives": objectives})
        conn.execute(
            sa.text("UPDATE academic_projects SET document = :d WHERE id = :p"),
            {"d": json.dumps({"format_version": 1, "axes": axes}), "p": project_id},
        )
    with op.batch_alter_table("academic_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_academic_objectives_axis_id"))
    op.drop_table("academic_objectives")
    with op.batch_alter_table("academic_axes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_academic_axes_project_id"))
    op.drop_table("academic_axes")


def _lever_texts(items: list) -> list[str]:  # type: ignore[type-arg]
    """Version-1 leviers are flat texts: nested leviers follow their parent."""
    out: list[str] = []
    for item in items:
        out.append(item if isinstance(item, str) else str(item.get("text", "")))
        if isinstance(item, dict):
            out += _lever_texts(item.get("items", []))
    return out


def _flat_objectives(axis: dict) -> list[dict]:  # type: ignore[type-arg]
    """An axis's objectives, those of its parts at any depth after its own (version 1 has
    axes and objectives only)."""
    found = list(axis.get("objectives", []))
    for section in axis.get("sections", []):
        found += _flat_objectives(section)
    return found


def downgrade() -> None:
    """Back to the two tables: each top-level part becomes an axis, every objective under it
    (at any depth) one of its objectives, leviers flattened; what version 1 cannot hold
    (préambule, texts of deeper parts, examples, resources, the file's text) is dropped —
    restore the backup made before 0009 to get it back."""
    axes_table = op.create_table(
        "academic_axes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["academic_projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("academic_axes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_academic_axes_project_id"), ["project_id"], unique=False
        )
    objectives_table = op.create_table(
        "academic_objectives",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("axis_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("levers", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["axis_id"], ["academic_axes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("academic_objectives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_academic_objectives_axis_id"), ["axis_id"], unique=False
        )
    conn = op.get_bind()
    for project_id, document in conn.execute(
        sa.text("SELECT id, document FROM academic_projects")
    ).all():
        data = json.loads(document) if isinstance(document, str) else document or {}
        for a_pos, axis in enumerate(data.get("axes", [])):
            axis_id = uuid.uuid4()
            conn.execute(
                axes_table.insert().values(
                    id=axis_id,
                    project_id=uuid.UUID(str(project_id)),
                    position=a_pos,
                    code=(axis.get("code") or axis.get("id") or "")[:32],
                    title=axis.get("title", ""),
                    text=axis.get("text", ""),
                )
            )
            for o_pos, objective in enumerate(_flat_objectives(axis)):
                conn.execute(
                    objectives_table.insert().values(
                        id=uuid.uuid4(),
                        axis_id=axis_id,
                        position=o_pos,
                        code=(objective.get("code") or objective.get("id") or "")[:32],
                        title=objective.get("title", ""),
                        levers=_lever_texts(objective.get("levers", [])),
                        criteria=list(objective.get("criteria", [])),
                    )
                )
    with op.batch_alter_table("academic_projects", schema=None) as batch_op:
        batch_op.drop_column("source")
        batch_op.drop_column("document")

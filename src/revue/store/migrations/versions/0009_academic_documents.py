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


def downgrade() -> None:
    raise NotImplementedError(
        "projets académiques are not converted back; restore the backup made before 0009"
    )

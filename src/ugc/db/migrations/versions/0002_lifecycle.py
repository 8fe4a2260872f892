"""lifecycle: typed stage, engine words in a step column

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = ("queued", "starting", "generating", "retrying", "resuming", "done", "failed")


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.String(length=64), nullable=True))
    # Free-text stages were the engine's words: keep them as the step, type the stage.
    known = ", ".join(f"'{stage}'" for stage in STAGES)
    op.execute(f"UPDATE projects SET step = stage WHERE stage NOT IN ({known})")
    op.execute(
        f"UPDATE projects SET stage = CASE "
        f"WHEN stage IN ({known}) THEN stage "
        "WHEN status = 'generating' THEN 'generating' "
        "WHEN status = 'queued' THEN 'queued' "
        "WHEN status = 'failed' THEN 'failed' "
        "ELSE 'done' END"
    )
    op.execute("UPDATE projects SET stage = 'failed' WHERE stage IS NULL")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=64), nullable=True)
    op.execute("UPDATE projects SET stage = step WHERE step IS NOT NULL")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("step")

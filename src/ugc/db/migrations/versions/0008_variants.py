"""variants

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 10:16:57.785624
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_group", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("show_caption", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_projects_variant_group"), ["variant_group"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_variant_group"))
        batch_op.drop_column("show_caption")
        batch_op.drop_column("variant_group")

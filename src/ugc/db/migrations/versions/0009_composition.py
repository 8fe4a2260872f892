"""composition

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-01 11:22:08.219974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("composition", sa.JSON(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("composition")

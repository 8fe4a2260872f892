"""product fidelity of each ad, and a free retry after drift

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("fidelity_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("fidelity_verdict", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("video_fidelity_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("video_fidelity_verdict", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("video_fidelity_frames", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("free_retry", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("free_retry")
        batch.drop_column("video_fidelity_frames")
        batch.drop_column("video_fidelity_verdict")
        batch.drop_column("video_fidelity_score")
        batch.drop_column("fidelity_verdict")
        batch.drop_column("fidelity_score")

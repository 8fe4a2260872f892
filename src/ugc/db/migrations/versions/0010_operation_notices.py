"""operation notices: a job's provider operation id, and the webhooks that reported on it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operation_id", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_operation_id"), ["operation_id"], unique=False)
    op.create_table(
        "operation_notices",
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("operation_id", sa.String(length=255), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_operation_notices")),
    )
    with op.batch_alter_table("operation_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operation_notices_operation_id"), ["operation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operation_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_notices_operation_id"))
    op.drop_table("operation_notices")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_operation_id"))
        batch_op.drop_column("operation_id")

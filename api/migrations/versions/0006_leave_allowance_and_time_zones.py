"""Add each employee's annual leave allowance (default 25 working days) and each department's
time zone (default UTC).

Revision ID: 0006 (after the time-window wishes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(
            sa.Column("annual_leave_days", sa.Integer(), nullable=False, server_default="25")
        )
    with op.batch_alter_table("departments") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("time_zone")
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("annual_leave_days")

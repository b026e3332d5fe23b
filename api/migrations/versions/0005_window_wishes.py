"""Add time windows to preferences and employee requests ("not 18:00-22:00 on Wednesday").

Revision ID: 0005 (after the scenarios table).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("preferences", "employee_requests")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("start_minute", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("end_minute", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("end_minute")
            batch.drop_column("start_minute")

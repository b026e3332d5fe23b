"""Add the weekday of a weekly wish to employee requests ("no evenings on Wednesdays").

Revision ID: 0007 (after the leave allowance and department time zones).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employee_requests") as batch:
        batch.add_column(sa.Column("weekday", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employee_requests") as batch:
        batch.drop_column("weekday")

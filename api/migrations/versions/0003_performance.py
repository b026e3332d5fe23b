"""Add weekly goals, KPI weights, the audit trail of score adjustments and the priority policy.

Revision ID: 0003 (performance), after 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("achieved", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "week_start", "metric"),
    )
    op.create_index(op.f("ix_weekly_goals_employee_id"), "weekly_goals", ["employee_id"])
    op.create_index(op.f("ix_weekly_goals_week_start"), "weekly_goals", ["week_start"])
    op.create_table(
        "kpi_weights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id", "metric"),
    )
    op.create_index(op.f("ix_kpi_weights_department_id"), "kpi_weights", ["department_id"])
    op.create_table(
        "score_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("before", sa.Float(), nullable=False),
        sa.Column("after", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("adjusted_by", sa.String(length=120), nullable=False),
        sa.Column("adjusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_score_adjustments_employee_id"), "score_adjustments", ["employee_id"])
    op.create_table(
        "performance_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("high_performer_completion", sa.Float(), nullable=False),
        sa.Column("high_performer_priority", sa.Float(), nullable=False),
        sa.Column("fairness_weeks", sa.Integer(), nullable=False),
        sa.Column("fairness_priority", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id"),
    )


def downgrade() -> None:
    op.drop_table("performance_policies")
    op.drop_table("score_adjustments")
    op.drop_table("kpi_weights")
    op.drop_table("weekly_goals")

"""Helpers for the workforce feedback tests: rosters and events stored directly, so that the
checks and reports can be tested without solving first.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from api.models import Roster


def store_roster(
    client: TestClient,
    department_id: int,
    week: dt.date,
    shifts: list[tuple[int, int, str]],
    status: str = "draft",
    problem: dict | None = None,
) -> int:
    """A roster for a department's week from (employee id, day, shift code) triples."""
    assignments = [{"employee": str(e), "day": d, "shift_type": s} for e, d, s in shifts]
    with client.app.state.session_factory() as session:
        roster = Roster(
            department_id=department_id,
            week_start=week,
            status=status,
            problem=problem or {},
            assignments=assignments,
        )
        session.add(roster)
        session.commit()
        return roster.id

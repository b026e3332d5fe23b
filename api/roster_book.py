"""Keeping rosters: store a solved week, re-validate hand edits, pin, publish, and show them.

Every change is checked by the optimizer's independent validator against the problem the roster
was solved for, so the stored objective, rule breakdown and hard violations are always current.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import not_found
from api.errors import unprocessable
from api.models import Employee, Roster, RosterPublication, User, utcnow
from api.schemas import RosterAssignment, RosterAssignmentOut, RosterPublic, RosterStatus, Violation
from api.time_zones import department_zone, local_moment
from optimizer.schema import Assignment, Problem, RuleScore, Solution

_logger = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")


def validate_roster(problem: Problem, assignments: list[Assignment]) -> dict[str, Any]:
    """Objective, rule breakdown and hard violations of a roster, from the validator."""
    from optimizer import validate

    report = validate(problem, assignments)
    return {
        "objective": report.objective,
        "breakdown": [
            RuleScore.model_validate(r).model_dump(mode="json") for r in report.breakdown
        ],
        "hard_violations": [
            Violation(
                rule=str(v.rule),
                employee=None if v.employee is None else str(v.employee),
                day=v.day,
                message=v.message,
            ).model_dump(mode="json")
            for v in report.hard_violations
        ],
    }


def save_solved_roster(
    session: Session,
    department_id: int,
    week_start: dt.date,
    problem: Problem,
    solution: Solution,
    job_id: str,
) -> Roster:
    """Make a solve's roster the week's current draft (a published week gets a new version)."""
    roster = session.scalar(
        select(Roster).where(Roster.department_id == department_id, Roster.week_start == week_start)
    )
    checked = validate_roster(problem, solution.assignments)
    assignments = [a.model_dump(mode="json") for a in solution.assignments]
    pinned = [a.model_dump(mode="json") for a in problem.pinned]
    if roster is None:
        roster = Roster(department_id=department_id, week_start=week_start, version=1)
        session.add(roster)
    elif roster.status == "published":
        roster.version += 1
    roster.status = "draft"
    roster.problem = problem.model_dump(mode="json")
    roster.assignments = assignments
    roster.pinned = pinned
    roster.objective = checked["objective"]
    roster.breakdown = checked["breakdown"]
    roster.hard_violations = checked["hard_violations"]
    roster.solve_job_id = job_id
    roster.updated_at = utcnow()
    session.flush()
    _logger.info(
        "roster %s (department %s, %s) saved from job %s",
        roster.id,
        department_id,
        week_start,
        job_id,
    )
    return roster


def to_assignments(
    problem: Problem, week_start: dt.date, lines: list[RosterAssignment]
) -> tuple[list[Assignment], list[Assignment]]:
    """API roster lines as optimizer assignments (all, pinned); 422 names a bad line."""
    employees = {e.id for e in problem.employees}
    types = {t.id for t in problem.shift_types}
    everything, pinned = [], []
    for i, line in enumerate(lines):
        day = (line.date - week_start).days
        if not 0 <= day < problem.num_days:
            raise unprocessable(
                f"assignments[{i}].date", f"{line.date} is outside the roster's week"
            )
        if str(line.employee_id) not in employees:
            raise unprocessable(
                f"assignments[{i}].employee_id",
                f"employee {line.employee_id} is not planned in this roster",
            )
        if line.shift not in types:
            raise unprocessable(
                f"assignments[{i}].shift",
                f"unknown shift {line.shift!r}; known: {', '.join(sorted(types))}",
            )
        assignment = Assignment(
            employee=str(line.employee_id), day=day, shift_type=line.shift, skill=line.skill
        )
        everything.append(assignment)
        if line.pinned:
            pinned.append(assignment)
    return everything, pinned


def edit_roster(session: Session, roster: Roster, lines: list[RosterAssignment]) -> Roster:
    """Replace the roster by a hand-edited one and re-validate it at once."""
    problem = Problem.model_validate(roster.problem)
    assignments, pinned = to_assignments(problem, roster.week_start, lines)
    problem.pinned = pinned
    checked = validate_roster(problem, assignments)
    if roster.status == "published":
        roster.version += 1
        roster.status = "draft"
    roster.problem = problem.model_dump(mode="json")
    roster.assignments = [a.model_dump(mode="json") for a in assignments]
    roster.pinned = [a.model_dump(mode="json") for a in pinned]
    roster.objective = checked["objective"]
    roster.breakdown = checked["breakdown"]
    roster.hard_violations = checked["hard_violations"]
    roster.updated_at = utcnow()
    session.flush()
    return roster


def publish_roster(session: Session, roster: Roster, user: User) -> RosterPublication:
    """Publish the roster as it stands; one with hard violations cannot be published."""
    if roster.hard_violations:
        first = roster.hard_violations[0]
        raise unprocessable(
            "assignments",
            f"the roster breaks {len(roster.hard_violations)} hard rule(s), e.g. "
            f"{first['rule']}: {first['message']}; fix them before publishing",
        )
    roster.status = "published"
    roster.published_at = utcnow()
    publication = RosterPublication(
        roster_id=roster.id,
        version=roster.version,
        assignments=roster.assignments,
        objective=roster.objective,
        breakdown=roster.breakdown,
        published_at=roster.published_at,
        published_by=user.username,
    )
    session.add(publication)
    session.flush()
    return publication


def get_roster(session: Session, roster_id: int) -> Roster:
    roster = session.get(Roster, roster_id)
    if roster is None:
        raise not_found("roster", roster_id)
    return roster


def shift_times(
    start_minute: int, duration: int, week_start: dt.date, day: int, zone: ZoneInfo = UTC_ZONE
) -> tuple[dt.datetime, dt.datetime]:
    """Local wall-clock start and end of a shift worked on `day` of the week.

    The start is the template's wall-clock time; the end is the paid length later in real time
    (counted in UTC), so a night across the change to summer time ends an hour later on the
    clock. An end in the hour repeated at the change back keeps `fold=1` for the second pass.
    """
    start = local_moment(week_start + dt.timedelta(days=day), start_minute, zone)
    end = start + dt.timedelta(minutes=duration)
    return wall_clock(start, zone), wall_clock(end, zone)


def wall_clock(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A moment as the department's clock shows it (no time zone attached)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def roster_lines(
    session: Session, roster: Roster, assignments: list[dict[str, Any]] | None = None
) -> list[RosterAssignmentOut]:
    """Roster lines with names and local times (the department's zone), sorted by day, start
    and employee.

    Reads the stored problem as plain data: a roster is read far more often than it is solved.
    """
    names = {e["id"]: e.get("name") for e in roster.problem["employees"]}
    times = {
        t["id"]: (t.get("start_minute") or 0, t["duration_minutes"])
        for t in roster.problem["shift_types"]
    }
    pinned = {(p["employee"], p["day"], p["shift_type"]) for p in roster.pinned}
    zone = department_zone(session, roster.department_id)
    lines = []
    for item in roster.assignments if assignments is None else assignments:
        employee, day, code = item["employee"], item["day"], item["shift_type"]
        start, end = shift_times(*times[code], roster.week_start, day, zone)
        lines.append(
            RosterAssignmentOut(
                employee_id=int(employee),
                employee_name=names.get(employee),
                date=roster.week_start + dt.timedelta(days=day),
                shift=code,
                skill=item.get("skill"),
                pinned=(employee, day, code) in pinned,
                start=start,
                end=end,
            )
        )
    lines.sort(key=lambda line: (line.start, line.employee_id))
    return lines


def roster_public(session: Session, roster: Roster) -> RosterPublic:
    return RosterPublic(
        id=roster.id,
        department_id=roster.department_id,
        week_start=roster.week_start,
        status=cast(RosterStatus, roster.status),
        version=roster.version,
        objective=roster.objective,
        breakdown=roster.breakdown,
        hard_violations=roster.hard_violations,
        assignments=roster_lines(session, roster),
        solve_job_id=roster.solve_job_id,
        updated_at=roster.updated_at,
        published_at=roster.published_at,
    )


def published_shifts_of(
    session: Session, employee: Employee
) -> list[tuple[Roster, RosterAssignmentOut]]:
    """Every published shift of an employee, from the latest publication of each week."""
    rosters = session.scalars(
        select(Roster)
        .where(Roster.department_id == employee.department_id)
        .order_by(Roster.week_start)
    )
    shifts: list[tuple[Roster, RosterAssignmentOut]] = []
    for roster in rosters:
        publication = session.scalar(
            select(RosterPublication)
            .where(RosterPublication.roster_id == roster.id)
            .order_by(RosterPublication.version.desc())
            .limit(1)
        )
        if publication is None:
            continue
        mine = [a for a in publication.assignments if a["employee"] == str(employee.id)]
        shifts.extend((roster, line) for line in roster_lines(session, roster, mine))
    return shifts

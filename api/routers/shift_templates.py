"""Shift templates per department (early, late, flexible, evening, night ...) and labour rules.

Planners change them; a department's employees may read its templates to state preferences.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api.access import (
    get_department,
    not_found,
    require_department_member,
    require_department_planner,
)
from api.deps import CurrentUser, SessionDep
from api.errors import unprocessable
from api.models import LabourRules, ShiftTemplate
from api.problem_builder import UNPOPULAR_KINDS
from api.schemas import (
    LabourRulesPublic,
    LabourRulesUpdate,
    PathId,
    ShiftTemplateCreate,
    ShiftTemplatePublic,
    ShiftTemplateUpdate,
)

_logger = logging.getLogger(__name__)

router = APIRouter(tags=["shift templates and labour rules"])


@router.get(
    "/departments/{department_id}/shift-templates", response_model=list[ShiftTemplatePublic]
)
def list_shift_templates(
    department_id: PathId, session: SessionDep, user: CurrentUser
) -> list[ShiftTemplate]:
    """A department's shift templates, earliest first."""
    get_department(session, department_id)
    require_department_member(user, session, department_id)
    return list(
        session.scalars(
            select(ShiftTemplate)
            .where(ShiftTemplate.department_id == department_id)
            .order_by(ShiftTemplate.start_minute, ShiftTemplate.id)
        )
    )


@router.post(
    "/departments/{department_id}/shift-templates",
    response_model=ShiftTemplatePublic,
    status_code=status.HTTP_201_CREATED,
)
def create_shift_template(
    department_id: PathId, body: ShiftTemplateCreate, session: SessionDep, user: CurrentUser
) -> ShiftTemplate:
    """Add a shift template; evening and night shifts count as unpopular unless told otherwise."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    taken = session.scalar(
        select(ShiftTemplate).where(
            ShiftTemplate.department_id == department_id, ShiftTemplate.code == body.code
        )
    )
    if taken is not None:
        raise unprocessable("code", f"this department already has a shift {body.code!r}")
    template = ShiftTemplate(
        department_id=department_id,
        code=body.code,
        name=body.name,
        kind=body.kind,
        start_minute=body.start_minute,
        duration_minutes=body.duration_minutes,
        unpopular=body.kind in UNPOPULAR_KINDS if body.unpopular is None else body.unpopular,
        flexible=body.kind == "flexible" if body.flexible is None else body.flexible,
    )
    session.add(template)
    session.commit()
    return template


def _template_for(session: SessionDep, user: CurrentUser, template_id: int) -> ShiftTemplate:
    template = session.get(ShiftTemplate, template_id)
    if template is None:
        raise not_found("shift template", template_id)
    require_department_planner(user, template.department_id)
    return template


@router.patch("/shift-templates/{template_id}", response_model=ShiftTemplatePublic)
def update_shift_template(
    template_id: PathId, body: ShiftTemplateUpdate, session: SessionDep, user: CurrentUser
) -> ShiftTemplate:
    """Change a shift template; rosters already solved keep the times they were solved with."""
    template = _template_for(session, user, template_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(template, name, value)
    session.commit()
    return template


@router.delete("/shift-templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_shift_template(template_id: PathId, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a shift template that no demand or preference refers to."""
    from api.models import Demand, Preference

    template = _template_for(session, user, template_id)
    for model, what in ((Demand, "demand lines"), (Preference, "preferences")):
        used = session.scalar(select(model.id).where(model.shift_template_id == template_id))
        if used is not None:
            raise unprocessable("template_id", f"shift {template.code!r} is used by {what}")
    session.delete(template)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _rules_public(department_id: int, rules: LabourRules | None) -> LabourRulesPublic:
    if rules is None:
        defaults = LabourRulesUpdate()
        return LabourRulesPublic(department_id=department_id, **defaults.model_dump())
    return LabourRulesPublic.model_validate(rules)


@router.get("/departments/{department_id}/labour-rules", response_model=LabourRulesPublic)
def read_labour_rules(department_id: PathId, session: SessionDep, user: CurrentUser):
    """The department's labour rules (defaults: 40 h a week, 11 h rest)."""
    get_department(session, department_id)
    require_department_member(user, session, department_id)
    rules = session.scalar(select(LabourRules).where(LabourRules.department_id == department_id))
    return _rules_public(department_id, rules)


@router.put("/departments/{department_id}/labour-rules", response_model=LabourRulesPublic)
def set_labour_rules(
    department_id: PathId, body: LabourRulesUpdate, session: SessionDep, user: CurrentUser
):
    """Replace the department's labour rules."""
    get_department(session, department_id)
    require_department_planner(user, department_id)
    rules = session.scalar(select(LabourRules).where(LabourRules.department_id == department_id))
    if rules is None:
        rules = LabourRules(department_id=department_id)
        session.add(rules)
    for name, value in body.model_dump().items():
        setattr(rules, name, value)
    session.commit()
    return _rules_public(department_id, rules)

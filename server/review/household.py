"""The household page: the registry's view of one household, as much as the actor may see.

Scope by village as everywhere; department viewers see only the households their duty
concerns, and of those only their duty's sections and indicators (access/policy.py,
registry/queries.py). Full ID numbers and health details are shown only after a
deliberate, logged reveal (`reveal`). Never commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from server.access.policy import indicator_codes, permits, sections
from server.access.viewer import web_viewer
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.forms.models import FormVersion
from server.ingest.models import SubmissionVersion
from server.registry.models import (
    AssistanceMeasure,
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Visit,
)
from server.registry.queries import find_visible_household, visible_households
from server.review.approval import list_cases
from server.review.errors import NotAllowed, NotInScope
from server.review.models import ApprovalCase

PAGE_SIZE = 50
REVEALS = {"ids": "reveal_id_number", "health": "reveal_health"}


@dataclass(frozen=True, slots=True)
class HouseholdPage:
    household: Household
    sections: frozenset[str]
    members: Sequence[Membership]
    helpers: Sequence[HelperAssignment]
    indicator_codes: list[str]
    indicator_dates: list[str]
    indicators: dict[tuple[str, str], IndicatorObservation]  # (code, date) → observation
    measures: Sequence[AssistanceMeasure]
    events: Sequence[MajorEvent]
    visits: Sequence[Visit]
    visits_per_month: list[tuple[str, int]]
    cases: Sequence[ApprovalCase]
    choice_labels: dict[str, dict[str, str]]  # field name → {answer: label}, from the form


def get_household_in_scope(session: Session, actor: WebUser, code: str) -> Household:
    viewer = web_viewer(actor)
    if not permits(viewer, "view_households") or not sections(viewer):
        raise NotAllowed("您的角色无权查看农户 / your role may not view households")
    household = find_visible_household(session, viewer, code, today=clock.today())
    if household is None:
        raise NotInScope("找不到该户 / no such household")
    return household


def list_households(
    session: Session,
    actor: WebUser,
    *,
    status: str | None = None,
    village: str | None = None,
    after_id: int | None = None,
) -> Sequence[Household]:
    viewer = web_viewer(actor)
    if not permits(viewer, "view_households") or not sections(viewer):
        raise NotAllowed("您的角色无权查看农户 / your role may not view households")
    query = select(Household).where(visible_households(viewer, today=clock.today()))
    if status:
        query = query.where(Household.status == status)
    if village:
        query = query.where(Household.village_code == village)
    if after_id:
        query = query.where(Household.id > after_id)
    return session.scalars(query.order_by(Household.id).limit(PAGE_SIZE)).all()


def get_household_page(
    session: Session, actor: WebUser, code: str, *, lang: str = "zh"
) -> HouseholdPage:
    household = get_household_in_scope(session, actor, code)
    seen = sections(web_viewer(actor))
    hid = household.id
    members = session.scalars(
        select(Membership)
        .options(selectinload(Membership.person))
        .where(Membership.household_id == hid, Membership.ended_at.is_(None))
        .order_by(Membership.position)
    ).all()
    allowed = indicator_codes(web_viewer(actor))
    query = select(IndicatorObservation).where(IndicatorObservation.household_id == hid)
    if allowed is not None:
        query = query.where(IndicatorObservation.code.in_(allowed))
    observations = session.scalars(query.order_by(IndicatorObservation.observed_on)).all()
    visits = session.scalars(
        select(Visit).where(Visit.household_id == hid).order_by(Visit.visited_on.desc())
    ).all()
    return HouseholdPage(
        household=household,
        sections=seen,
        members=members if "members" in seen else [],
        helpers=_rows(session, HelperAssignment, hid) if "helpers" in seen else [],
        indicator_codes=sorted({o.code for o in observations}),
        indicator_dates=sorted({str(o.observed_on or "") for o in observations}),
        indicators={(o.code, str(o.observed_on or "")): o for o in observations},
        measures=_rows(session, AssistanceMeasure, hid) if "measures" in seen else [],
        events=_rows(session, MajorEvent, hid) if "events" in seen else [],
        visits=visits if "visits" in seen else [],
        visits_per_month=_per_month(visits) if "visits" in seen else [],
        cases=list_cases(session, hid) if "approvals" in seen else [],
        choice_labels=_choice_labels(session, household, lang),
    )


def _choice_labels(session: Session, household: Household, lang: str) -> dict[str, dict[str, str]]:
    """The labels of coded answers (relation 01 → 本人（户主）), as the identification form's
    version stored them at publish (its XForm is not read)."""
    if household.source_version_id is None:
        return {}
    version = session.get(SubmissionVersion, household.source_version_id)
    form_version = session.get(FormVersion, version.form_version_id) if version else None
    if form_version is None:
        return {}
    schema = form_version.schema
    lists = schema.choice_labels(lang)
    return {f.name: lists[f.choices_from] for f in schema.fields if f.choices_from in lists}


def _rows(session: Session, model, household_id: int) -> Sequence:  # type: ignore[no-untyped-def]
    return session.scalars(
        select(model).where(model.household_id == household_id).order_by(model.id)
    ).all()


def _per_month(visits: Sequence[Visit]) -> list[tuple[str, int]]:
    counts = Counter(v.visited_on.strftime("%Y-%m") for v in visits if v.visited_on)
    return sorted(counts.items(), reverse=True)


def reveal(session: Session, actor: WebUser, code: str, what: str, *, ip: str | None) -> None:
    """Record a deliberate reveal of the household's ID numbers or health details."""
    household = get_household_in_scope(session, actor, code)
    if what not in REVEALS or what not in sections(web_viewer(actor)):
        raise NotAllowed("您无权查看这些信息 / you may not see these details")
    record(
        session,
        actor,
        REVEALS[what],
        object_kind="household",
        object_id=household.code,
        area_code=household.village_code,
        ip=ip,
    )

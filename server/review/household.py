"""Households in the review workspace: the list, one household with its approval cases, and the
logged reveal of its ID numbers or health details.

What a viewer may see is the registry's read API's answer (registry/queries.py): its villages,
a department's duty, the sections and indicators of its role (access/policy.py). A household
out of reach is not found, like a missing one. `household_page.py` turns the facts into the
page. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from server.access.policy import REVEALABLE, permits, sections
from server.access.viewer import Viewer, web_viewer
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.registry.facts import HouseholdRecord, HouseholdSummary
from server.registry.queries import (
    find_visible_summary,
    get_household_record,
    list_visible_households,
)
from server.review.approval import list_cases
from server.review.errors import NotAllowed, NotInScope
from server.review.models import ApprovalCase

PAGE_SIZE = 50
REVEALS = {"ids": "reveal_id_number", "health": "reveal_health"}


def _viewer(actor: WebUser) -> Viewer:
    viewer = web_viewer(actor)
    if not permits(viewer, "view_households") or not sections(viewer):
        raise NotAllowed("您的角色无权查看农户 / your role may not view households")
    return viewer


def get_household_in_scope(session: Session, actor: WebUser, code: str) -> HouseholdSummary:
    household = find_visible_summary(session, _viewer(actor), code, today=clock.today())
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
) -> list[HouseholdSummary]:
    return list_visible_households(
        session,
        _viewer(actor),
        today=clock.today(),
        status=status,
        village=village,
        after_id=after_id,
        limit=PAGE_SIZE,
    )


def get_household(
    session: Session, actor: WebUser, code: str
) -> tuple[HouseholdRecord, Sequence[ApprovalCase]]:
    """The household with the sections the actor may see, and its approval cases if the
    actor may see those."""
    found = get_household_record(session, _viewer(actor), code, today=clock.today())
    if found is None:
        raise NotInScope("找不到该户 / no such household")
    cases = list_cases(session, found.household.id) if "approvals" in found.sections else []
    return found, cases


def reveal(session: Session, actor: WebUser, code: str, what: str, *, ip: str | None) -> None:
    """Record a deliberate reveal of the household's ID numbers or health details."""
    household = get_household_in_scope(session, actor, code)
    if what not in REVEALABLE or what not in sections(web_viewer(actor)):
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

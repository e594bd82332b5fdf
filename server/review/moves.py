"""Moving a household to another village: a deliberate, audited act, never a form's side effect.

A phone can only write inside its own area and a form never moves a household (registry.apply
holds such a submission for review instead). When a household really has moved, the county
administrator (anywhere) or a town reviewer (between two villages of its own town) moves it
here, with a reason; the audit log keeps who, when, from where to where and why. Its code and
archive number (档号) stay as issued: they are references printed on paper. Never commits.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.access.policy import permits, scope_of
from server.access.viewer import OPERATOR, web_viewer
from server.areas.service import get_area, list_areas, village_titles
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.registry.facts import HouseholdSummary
from server.registry.queries import find_visible_summary
from server.registry.service import move_household_to
from server.review.errors import InvalidDecision, NotAllowed, NotInScope
from server.review.household import get_household_in_scope
from server.review.models import ApprovalCase


def move_household(
    session: Session,
    actor: WebUser | None,
    code: str,
    *,
    to_village: str,
    reason: str,
    year: int,
    ip: str | None = None,
    operator: str | None = None,
) -> HouseholdSummary:
    """Move household `code` to `to_village`. `actor` None is the operator at the command line
    (named by `operator` in the audit log). Returns the household as it is now."""
    viewer = OPERATOR if actor is None else web_viewer(actor)
    scope = scope_of(viewer)
    if actor is None:
        household = find_visible_summary(session, OPERATOR, code, today=clock.today())
        if household is None:
            raise NotInScope(f"找不到农户 {code} / no household {code}")
    else:
        household = get_household_in_scope(session, actor, code)  # 404 outside the scope
        if not permits(viewer, "move_household"):
            raise NotAllowed(
                "只有县级管理员和镇审核员可以迁移农户 / only the county or a town moves households"
            )
    target = get_area(session, to_village, year=year)
    if target.level != "village" or not scope.covers(to_village):
        raise NotAllowed(
            f"不能迁移到 {to_village}：镇审核员只能在本镇的村之间迁移 / {to_village} is not a "
            "village you may move households to (a town moves only between its own villages)"
        )
    if to_village == household.village_code:
        raise InvalidDecision("该户已在此村 / the household is already in this village")
    if not reason.strip():
        raise InvalidDecision("请填写迁移原因 / give the reason for the move")
    from_village = household.village_code
    move_household_to(session, household.id, to_village)
    # An approval under way follows the household: the new village's committee carries it on.
    session.execute(
        update(ApprovalCase)
        .where(ApprovalCase.household_id == household.id, ApprovalCase.stage != "closed")
        .values(village_code=to_village)
    )
    record(
        session,
        actor,
        "household_moved",
        object_kind="household",
        object_id=household.code,
        area_code=to_village,
        ip=ip,
        username=operator,
        from_village=from_village,
        to_village=to_village,
        reason=reason.strip()[:500],
    )
    session.flush()
    return replace(household, village_code=to_village)


def destinations(
    session: Session, actor: WebUser, household: HouseholdSummary, *, year: int
) -> list[tuple[str, str]]:
    """The villages `actor` may move `household` to, as (code, '镇村'); none if it may not."""
    viewer = web_viewer(actor)
    if not permits(viewer, "move_household"):
        return []
    scope = scope_of(viewer)
    codes = [
        area.code
        for area in list_areas(session, year=year)
        if area.level == "village"
        and scope.covers(area.code)
        and area.code != household.village_code
    ]
    titles = village_titles(session, codes, year=year)
    return [(code, titles[code]) for code in codes]

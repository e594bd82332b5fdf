"""Early-warning cases and major-event handling: the writes of monitoring (never commits; the
pages read cases through `service.list_cases`).

`open_warning_cases` is idempotent: running it twice for a month opens no second case and
refreshes the reasons of cases still open. A case moves open → checked (home check) →
measure (a decision with the measure taken) or closed (with a reason, always).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.core import clock
from server.core.errors import DomainError
from server.monitoring.loading import settings_for
from server.monitoring.models import DECISIONS, WarningCase
from server.monitoring.scope import area_scope_of
from server.monitoring.service import monthly_overview
from server.registry.models import Household, MajorEvent


class CaseError(DomainError):
    status = 422
    code = "warning_case"


class CaseNotFound(DomainError):
    status = 404
    code = "warning_case_not_found"


@dataclass(frozen=True)
class SyncReport:
    opened: int
    refreshed: int


def open_warning_cases(session: Session, *, month: date, prefix: str, today: date) -> SyncReport:
    """Open a case for every household with a warning this month (none twice)."""
    month = month.replace(day=1)
    overview = monthly_overview(session, month=month, prefix=prefix, today=today)
    existing = {
        c.household_id: c
        for c in session.scalars(select(WarningCase).where(WarningCase.month == month))
    }
    due = today + timedelta(days=settings_for(month).warning_check_days)
    opened = refreshed = 0
    for warning in overview.warnings:
        reasons = [{"code": r.code, "detail": r.detail} for r in warning.reasons]
        case = existing.get(warning.household_id)
        if case is None:
            session.add(
                WarningCase(
                    household_id=warning.household_id,
                    month=month,
                    reasons=reasons,
                    check_due_on=due,
                )
            )
            opened += 1
        elif case.status != "closed" and case.reasons != reasons:
            case.reasons = reasons
            refreshed += 1
    session.flush()
    return SyncReport(opened, refreshed)


def get_case(session: Session, case_id: int, *, prefix: str) -> WarningCase:
    case = session.get(WarningCase, case_id)
    if case is None or not area_scope_of(prefix).covers(case.household.village_code):
        raise CaseNotFound("没有这个预警 / no such warning case")
    return case


def record_step(
    session: Session,
    case: WarningCase,
    *,
    step: str,
    text: str,
    decision: str | None,
    by: str,
    today: date,
) -> WarningCase:
    """step: check (home check note) | measure (decision + measure) | close (reason)."""
    text = text.strip()
    if case.status == "closed":
        raise CaseError("预警已关闭 / the case is closed")
    if not text:
        raise CaseError("请填写说明 / a note is required")
    if step == "check":
        case.status, case.checked_on, case.check_note = "checked", today, text
    elif step == "measure":
        if decision not in DECISIONS or decision == "not_at_risk":
            raise CaseError("请选择处理决定 / choose a decision")
        case.status, case.decision, case.measure = "measure", decision, text
    elif step == "close":
        case.status, case.close_reason, case.closed_on = "closed", text, today
        case.decision = case.decision or decision
    else:
        raise CaseError(f"未知步骤 / unknown step {step}")
    case.updated_at, case.updated_by = clock.now(), by
    session.flush()
    return case


EVENT_STEPS = {"open": "handling", "handling": "closed"}


def advance_event(
    session: Session, event_id: int, *, prefix: str, measure: str, by: str
) -> MajorEvent:
    """open → handling (the town's response) → closed (with the measure taken)."""
    event = session.get(MajorEvent, event_id)
    if event is None or not _household_in(session, event.household_id, prefix):
        raise CaseNotFound("没有这个重大变故 / no such major event")
    if event.status == "closed":
        raise CaseError("已关闭 / already closed")
    if event.status == "handling" and not measure.strip():
        raise CaseError("关闭时请填写采取的措施 / closing needs the measure taken")
    step = EVENT_STEPS[event.status]
    log = [
        *event.details.get("handling_log", []),
        {"status": step, "at": clock.now().isoformat(), "by": by, "measure": measure.strip()},
    ]
    event.details = {**event.details, "handling_log": log}
    event.status = step
    session.flush()
    return event


def _household_in(session: Session, household_id: int, prefix: str) -> bool:
    code = session.scalar(select(Household.village_code).where(Household.id == household_id))
    return bool(code and code.startswith(prefix))

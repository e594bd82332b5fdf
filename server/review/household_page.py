"""The household page for one viewer: the registry's facts (`registry.facts.HouseholdRecord`)
and the household's approval cases in, a `HouseholdPage` of plain values out — every code
under its label in the page's language (core.labels, with the forms' choice lists), every
amount as money, every personal field masked by the access policy until a logged reveal of a
section the viewer may see.

Pure (tests/unit/test_layering.py): no Flask, SQLAlchemy or clock; the view passes the labels
and the language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from server.access.policy import PAGE, REVEALABLE, Masker, acts_at, masker
from server.access.viewer import Viewer
from server.core.labels import Labels
from server.core.numbers import money
from server.monitoring.rules import VisitTally
from server.registry.facts import (
    EventFacts,
    HouseholdRecord,
    MeasureFacts,
    MemberFacts,
    ObservationFacts,
    VisitFacts,
)

if TYPE_CHECKING:  # the review's own rows, read here, never handed to a template
    from server.review.models import ApprovalCase

MIN_PUBLICITY_DAYS = 5  # typical village publicity (domain.md §1.3 step 5); a warning only
# The household statuses from which the village may propose, and what it proposes.
_PROPOSABLE = {"pending_review": "inclusion", "rejected": "inclusion", "monitored": "elimination"}


@dataclass(frozen=True, slots=True)
class MemberRow:
    name: str
    relation: str
    id_number: str | None  # None: the viewer has no `ids` section
    birth_date: str
    health: str | None  # None: hidden (no `health` section, or not revealed)
    schooling: str
    work: str
    insurance: str


@dataclass(frozen=True, slots=True)
class HelperRow:
    role: str
    name: str
    unit: str
    phone: str
    period: str


@dataclass(frozen=True, slots=True)
class IndicatorCell:
    state: str  # met | not_met | not_applicable: the page marks them ✓ ✗ —
    label: str
    detail: str


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    label: str
    cells: tuple[IndicatorCell | None, ...]  # one per `HouseholdPage.indicator_dates`


@dataclass(frozen=True, slots=True)
class MeasureRow:
    recorded_on: str
    family: str
    detail: str
    status: str
    amount: str


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    occurred_on: str
    event_type: str
    status: str
    estimated_cost: str


@dataclass(frozen=True, slots=True)
class VisitRow:
    visited_on: str
    month: str  # 2026-11: its work form
    visitor: str
    mode: str
    risk_trend: str
    difficulties: str


@dataclass(frozen=True, slots=True)
class StepRow:
    level: str
    decision: str
    actor_name: str
    decided_at: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    kind: str
    stage: str
    outcome: str
    publicity_start: str
    publicity_end: str
    publicity_days: int | None
    publicity_short: bool
    steps: tuple[StepRow, ...]


@dataclass(frozen=True, slots=True)
class ApprovalActions:
    """What this viewer may do on the case under way (ids of the case; None: nothing)."""

    decide_case_id: int | None = None  # approve or return, at its town or county stage
    propose_kind: str | None = None  # inclusion | elimination
    propose_label: str = ""
    withdraw_case_id: int | None = None


@dataclass(frozen=True, slots=True)
class HouseholdPage:
    code: str
    head_name: str
    village_code: str
    village: str
    household_type: str
    status: str
    status_label: str
    member_count: int
    archive_no: str | None
    phone: str | None  # None: the viewer has no `ids` section
    sections: frozenset[str]
    revealed: frozenset[str]  # what this page shows in full (a reveal of a section it may see)
    reveal_offers: tuple[str, ...]  # the sections the viewer may still reveal: ids, health
    members: tuple[MemberRow, ...]
    helpers: tuple[HelperRow, ...]
    indicator_dates: tuple[str, ...]
    indicators: tuple[IndicatorRow, ...]
    measures: tuple[MeasureRow, ...]
    events: tuple[EventRow, ...]
    visits: tuple[VisitRow, ...]
    visits_per_month: tuple[MonthVisits, ...]  # newest month first
    cases: tuple[CaseView, ...]  # newest first
    actions: ApprovalActions


@dataclass(frozen=True, slots=True)
class MonthVisits:
    """A month's counted and required visits (monitoring.rules.visit_tally)."""

    month: str  # YYYY-MM
    done: int
    required: int
    below: bool


def present_household(
    record: HouseholdRecord,
    cases: Sequence[ApprovalCase],
    *,
    tallies: Mapping[date, VisitTally],
    viewer: Viewer,
    revealed: frozenset[str],
    labels: Labels,
    lang: str,
    village_names: dict[str, str],
) -> HouseholdPage:
    mask = masker(viewer, PAGE, revealed=revealed)
    shown = revealed & record.sections
    h = record.household
    words = _Words(labels, lang)
    dates = sorted({_day(o.observed_on) for o in record.observations})
    return HouseholdPage(
        code=h.code,
        head_name=h.head_name,
        village_code=h.village_code,
        village=village_names.get(h.village_code, h.village_code),
        household_type=words("household_type", h.household_type),
        status=h.status,
        status_label=words("household_status", h.status),
        member_count=h.member_count,
        archive_no=h.archive_no,
        phone=mask.phone(record.head_phone) if "ids" in record.sections else None,
        sections=record.sections,
        revealed=shown,
        reveal_offers=tuple(s for s in sorted(REVEALABLE & record.sections) if s not in shown),
        members=tuple(_member(m, mask, words) for m in record.members),
        helpers=tuple(
            HelperRow(
                words("helper_role", x.role),
                x.name,
                x.unit or "",
                mask.phone(x.phone),
                f"{_day(x.started_on)} – {_day(x.ended_on)}",
            )
            for x in record.helpers
        ),
        indicator_dates=tuple(dates),
        indicators=_indicators(record.observations, dates, mask, words),
        measures=tuple(_measure(x, mask, words) for x in record.measures),
        events=tuple(_event(x, words) for x in record.events),
        visits=tuple(_visit(x, mask, words) for x in record.visits),
        visits_per_month=_per_month(tallies),
        cases=tuple(_case(c, mask, words) for c in cases),
        actions=_actions(viewer, h.status, cases, words),
    )


class _Words:
    """Labels in the page's language."""

    def __init__(self, labels: Labels, lang: str) -> None:
        self.labels, self.lang = labels, lang

    def __call__(self, list_name: str, code: str | None) -> str:
        return self.labels.of(list_name, code, self.lang)

    def join(self, list_name: str, codes: Iterable[str]) -> str:
        return self.labels.join(list_name, codes, self.lang)

    def indicator(self, code: str) -> str:
        """`bayou:road` → 八有：有路通自然村 (core.labels)."""
        return self.labels.indicator(code, self.lang)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _spaced(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _member(m: MemberFacts, mask: Masker, words: _Words) -> MemberRow:
    health = None
    if mask.full_health:
        health = _spaced(
            words.join("health", m.health), words("disability_grade", m.disability_grade)
        )
    return MemberRow(
        name=m.name,
        relation=words("relation", m.relation),
        id_number=None if m.id_number is None else mask.id_number(m.id_number),
        birth_date=_day(m.birth_date),
        health=health,
        schooling=_spaced(
            words("schooling", m.schooling), m.school_grade or "", words("education", m.education)
        ),
        work=_spaced(words("labour", m.labour), words("work_status", m.work_status)),
        insurance=words.join("insurance", m.insurance),
    )


def _indicators(
    observations: Sequence[ObservationFacts], dates: list[str], mask: Masker, words: _Words
) -> tuple[IndicatorRow, ...]:
    seen = {(o.code, _day(o.observed_on)): o for o in observations}
    rows = []
    for code in sorted({o.code for o in observations}):
        cells = []
        for day in dates:
            o = seen.get((code, day))
            cells.append(
                None
                if o is None
                else IndicatorCell(o.state, words("indicator_state", o.state), mask.text(o.detail))
            )
        rows.append(IndicatorRow(words.indicator(code), tuple(cells)))
    return tuple(rows)


def _measure(x: MeasureFacts, mask: Masker, words: _Words) -> MeasureRow:
    return MeasureRow(
        _day(x.recorded_on),
        words("measure_family", x.family),
        mask.text(x.detail),
        words("measure_status", x.status),
        money(x.amount),
    )


def _event(x: EventFacts, words: _Words) -> EventRow:
    return EventRow(
        x.id,
        _day(x.occurred_on),
        words("event_type", x.event_type),
        words("event_status", x.status),
        money(x.estimated_cost),
    )


def _visit(x: VisitFacts, mask: Masker, words: _Words) -> VisitRow:
    return VisitRow(
        _day(x.visited_on),
        x.visited_on.strftime("%Y-%m") if x.visited_on else "",
        x.visitor_name or "",
        words("visit_mode", x.mode),
        words("risk_trend", x.risk_trend),
        mask.text(x.difficulties),
    )


def _per_month(tallies: Mapping[date, VisitTally]) -> tuple[MonthVisits, ...]:
    return tuple(
        MonthVisits(month.strftime("%Y-%m"), tally.done, tally.required, tally.below)
        for month, tally in sorted(tallies.items(), reverse=True)
    )


def _case(case: ApprovalCase, mask: Masker, words: _Words) -> CaseView:
    start, end = case.publicity_start, case.publicity_end
    days = (end - start).days + 1 if start and end else None
    return CaseView(
        id=case.id,
        kind=words("approval_kind", case.kind),
        stage=words("approval_stage", case.stage),
        outcome=words("approval_outcome", case.outcome),
        publicity_start=_day(start) or "—",
        publicity_end=_day(end) or "—",
        publicity_days=days,
        publicity_short=days is not None and days < MIN_PUBLICITY_DAYS,
        steps=tuple(
            StepRow(
                words("approval_level", s.level),
                words("approval_decision", s.decision),
                s.actor_name,
                s.decided_at,
                mask.text(s.comment),
            )
            for s in case.steps
        ),
    )


def _actions(
    viewer: Viewer, status: str, cases: Sequence[ApprovalCase], words: _Words
) -> ApprovalActions:
    case = next((c for c in cases if c.stage != "closed"), None)
    if case is not None and case.stage in ("town", "county") and acts_at(viewer, case.stage):
        return ApprovalActions(decide_case_id=case.id)
    if not acts_at(viewer, "village") or status not in _PROPOSABLE:
        return ApprovalActions()
    if case is not None and case.stage != "village":
        return ApprovalActions()
    kind = case.kind if case is not None else _PROPOSABLE[status]
    return ApprovalActions(
        propose_kind=kind,
        propose_label=words("approval_kind", kind),
        withdraw_case_id=case.id if case is not None else None,
    )

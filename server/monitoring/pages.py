"""The monitoring pages for one viewer — the month's dashboard, one household at the end of the
drill-down, the warning cases — as plain values: every code under its label in the page's
language (core.labels, with the forms' choice lists), counts and amounts as people write them
(core.numbers), free text masked and what the viewer may do decided by the access policy.

Reasons, signals and months are said by `monitoring.words`.

Pure (tests/unit/test_layering.py): no Flask, SQLAlchemy or clock. The view passes the labels,
the language and its gettext (a sentence with a number in it is one message, translated here).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.access.policy import PAGE, Masker, area_scope, masker, permits, scope_of, town_of
from server.access.viewer import Viewer
from server.core.clock import Month
from server.core.labels import Labels
from server.core.numbers import count, money
from server.monitoring.charts import bar_chart
from server.monitoring.facts import CaseFacts, HouseholdDetail, VisitLine
from server.monitoring.rules import Flag, shortfalls_by
from server.monitoring.scope import area_code_of
from server.monitoring.words import (
    Gettext,
    Sight,
    Words,
    reason_text,
    sight_of,
    signal_detail,
)

if TYPE_CHECKING:  # the service's results, read here, never handed to a template
    from server.monitoring.service import AreaRow, Overview
    from server.monitoring.trend import Trend

Options = tuple[tuple[str, str], ...]  # (code, label)


# --- authenticity signals ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignalRow:
    visit_id: int
    household: str  # the head's name
    signal: str
    detail: str


def _signals(
    flags: Iterable[Flag], heads: dict[int, str], words: Words, mask: Masker
) -> tuple[SignalRow, ...]:
    return tuple(
        SignalRow(
            f.visit_id,
            heads.get(f.household_id, f"#{f.household_id}"),
            words("visit_signal", f.code),
            signal_detail(f, words, mask),
        )
        for f in flags
    )


# --- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Totals:
    households: str
    new: str
    eliminated: str
    visits: str  # done/required
    below: str
    warnings: str
    open_events: str
    overdue_events: str  # "" when none
    open_cases: str


@dataclass(frozen=True, slots=True)
class TypeRow:
    label: str
    by_status: tuple[str, ...]  # one per `DashboardPage.statuses`
    total: str


@dataclass(frozen=True, slots=True)
class AreaRowView:
    code: str  # a town's or village's code (the next level down), or a household's code
    name: str  # the area's name, or the household head's
    households: str
    new: str
    visits: str  # done/required
    below: str
    warnings: str
    open_events: str
    overdue_events: str  # "" when none
    reasons: tuple[str, ...]  # a household's warning reasons, in words


@dataclass(frozen=True, slots=True)
class HelperRow:
    helper: str
    households: str
    heads: str  # 张三 (1/2)、李四 (0/2): visits done/required


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    household: str
    status: str  # open | handling: the form offers the next step
    status_label: str
    due_on: str
    overdue: bool


@dataclass(frozen=True, slots=True)
class DashboardPage:
    month: str  # as people write it
    month_code: str  # 2026-10
    level: str  # county | town | village: what the rows are (towns, villages, households)
    area: str
    area_code: str | None  # the town or village shown; None for the county
    up: str | None  # the area one level up the viewer may open ("" the county); None: none
    min_visits: int
    totals: Totals
    statuses: tuple[str, ...]
    types: tuple[TypeRow, ...]
    rows: tuple[AreaRowView, ...]
    helpers: tuple[HelperRow, ...]  # at village level
    charts: tuple[str, ...]  # SVG
    signals: tuple[SignalRow, ...] | None  # None: not shown (the county, or no visits section)
    events: tuple[EventRow, ...]  # open and being handled
    may_work: bool  # handle warning cases and major events
    may_report: bool  # the monthly report
    may_export: bool  # the registry's exports


def present_dashboard(
    overview: Overview,
    trend: Trend,
    signals: Sequence[Flag] | None,
    *,
    viewer: Viewer,
    month: Month,
    area_name: str,
    labels: Labels,
    lang: str,
    gettext: Gettext,
) -> DashboardPage:
    words, mask, sight = Words(labels, lang, gettext), masker(viewer, PAGE), sight_of(viewer)
    total = overview.total
    heads = {h.id: h.head_name for h in overview.households.values()}
    statuses = _codes(labels.options("household_status", lang), total.by_status)
    types = _codes(labels.options("household_type", lang), total.by_type)
    return DashboardPage(
        month=words.month(month),
        month_code=str(month),
        level=overview.level,
        area=area_name,
        area_code=None if overview.level == "county" else area_code_of(overview.prefix),
        up=_up(viewer, overview.level, overview.prefix),
        min_visits=overview.settings.min_visits_per_month,
        totals=Totals(
            households=count(total.households),
            new=count(total.new),
            eliminated=count(total.eliminated),
            visits=_done(total.visits_done, total.visits_required),
            below=count(total.below),
            warnings=count(total.warnings),
            open_events=count(total.open_events),
            overdue_events=count(total.overdue_events) if total.overdue_events else "",
            open_cases=count(overview.open_cases),
        ),
        statuses=tuple(words("household_status", s) for s in statuses),
        types=tuple(
            TypeRow(
                words("household_type", t),
                tuple(count(total.by_type_status[(t, s)]) for s in statuses),
                count(total.by_type[t]),
            )
            for t in types
        ),
        rows=tuple(_area_row(r, words, mask, sight) for r in overview.rows),
        helpers=_helpers(overview, heads, words) if overview.level == "village" else (),
        charts=trend_charts(trend, gettext),
        signals=None if signals is None else _signals(signals, heads, words, mask),
        events=tuple(
            EventRow(
                e.id,
                heads.get(e.household_id, ""),
                e.status,
                words("event_status", e.status),
                e.due_on.isoformat(),
                e.overdue,
            )
            for e in overview.events
            if e.status != "closed"
        ),
        may_work=permits(viewer, "work_warning_cases"),
        may_report=permits(viewer, "monthly_report"),
        may_export=permits(viewer, "export_registry"),
    )


def _codes(listed: Sequence[tuple[str, str]], found: Iterable[str]) -> tuple[str, ...]:
    """The codes of a list in its order, then any the data holds that the list lacks."""
    codes = [code for code, _label in listed]
    return (*codes, *sorted(set(found) - set(codes)))


def _done(done: int, required: int) -> str:
    return f"{count(done)}/{count(required)}"


def _up(viewer: Viewer, level: str, prefix: str) -> str | None:
    """The area one level up, if the viewer may open it: a village's town, or the county."""
    scope = scope_of(viewer)
    if level == "village" and scope.contains(area_scope(town_of(prefix))):
        return town_of(prefix)
    if level != "county" and scope.everywhere:
        return ""
    return None


def _area_row(row: AreaRow, words: Words, mask: Masker, sight: Sight) -> AreaRowView:
    return AreaRowView(
        code=row.code,
        name=row.name,
        households=count(row.households),
        new=count(row.new),
        visits=_done(row.visits_done, row.visits_required),
        below=count(row.below),
        warnings=count(row.warnings),
        open_events=count(row.open_events),
        overdue_events=count(row.overdue_events) if row.overdue_events else "",
        reasons=tuple(reason_text(r, words, mask, sight) for r in row.reasons),
    )


def _helpers(overview: Overview, heads: dict[int, str], words: Words) -> tuple[HelperRow, ...]:
    rows = []
    for helper, items in shortfalls_by(overview.shortfalls, "helper").items():
        # the shortfalls of households without a helper are grouped under a placeholder
        name = helper if any(s.helpers for s in items) else words.gettext("（未指定）")
        listed = (f"{heads.get(s.household_id, '')} ({s.done}/{s.required})" for s in items)
        rows.append(HelperRow(name, count(len(items)), words.join(listed)))
    return tuple(sorted(rows, key=lambda r: r.helper))


def trend_charts(trend: Trend, gettext: Gettext) -> tuple[str, ...]:
    """The last 12 months as two bar charts (SVG), titled in the page's language."""
    return (
        bar_chart(
            gettext("走访完成情况"),
            trend.labels,
            [(gettext("已走访"), trend.visits_done), (gettext("应走访"), trend.visits_required)],
        ),
        bar_chart(
            gettext("新纳入与重大变故"),
            trend.labels,
            [(gettext("新纳入"), trend.new), (gettext("重大变故"), trend.events)],
        ),
    )


# --- warning cases -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    month: str  # 2026-10
    household_code: str
    head_name: str
    reasons: tuple[str, ...]
    status: str
    status_label: str
    check_due_on: str
    check_note: str
    decision: str
    measure: str
    close_reason: str
    open: bool  # not closed: the next step may be recorded


def _case(case: CaseFacts, words: Words, mask: Masker, sight: Sight) -> CaseRow:
    return CaseRow(
        id=case.id,
        month=f"{case.month:%Y-%m}",
        household_code=case.household_code,
        head_name=case.head_name,
        reasons=tuple(reason_text(r, words, mask, sight) for r in case.reasons),
        status=case.status,
        status_label=words("case_status", case.status),
        check_due_on=case.check_due_on.isoformat(),
        check_note=mask.text(case.check_note),
        decision=words("case_decision", case.decision),
        measure=mask.text(case.measure),
        close_reason=mask.text(case.close_reason),
        open=case.status != "closed",
    )


@dataclass(frozen=True, slots=True)
class CasesPage:
    month: str | None  # as people write it; None: every month
    month_code: str | None
    rows: tuple[CaseRow, ...]
    may_open: bool  # open cases for the month's warnings
    may_work: bool  # record a case's next step
    decisions: Options


def present_cases(
    cases: Sequence[CaseFacts],
    *,
    viewer: Viewer,
    month: Month | None,
    labels: Labels,
    lang: str,
    gettext: Gettext,
) -> CasesPage:
    words = Words(labels, lang, gettext)
    mask = masker(viewer, PAGE)
    return CasesPage(
        month=words.month(month) if month else None,
        month_code=str(month) if month else None,
        rows=tuple(_case(c, words, mask, sight_of(viewer)) for c in cases),
        may_open=month is not None and permits(viewer, "open_warning_cases"),
        may_work=permits(viewer, "work_warning_cases"),
        decisions=tuple(labels.options("case_decision", lang)),
    )


# --- one household -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitRow:
    visited_on: str
    visitor: str
    mode: str
    not_met: tuple[str, ...]  # the viewer's indicators not met, in words
    difficulties: str


@dataclass(frozen=True, slots=True)
class HouseholdPage:
    code: str
    head_name: str
    village_code: str
    village: str
    household_type: str
    status: str
    status_label: str
    member_count: str
    income: str | None  # money; None: the viewer has no `income` section; "" unknown
    month_code: str
    show_visits: bool  # who visited and what the family said (the `visits` section)
    visits: tuple[VisitRow, ...]  # the last 12 months, newest first
    signals: tuple[SignalRow, ...] | None  # this month's; None without the `visits` section
    cases: tuple[CaseRow, ...]  # newest first


def present_household(
    detail: HouseholdDetail,
    *,
    viewer: Viewer,
    month: Month,
    labels: Labels,
    lang: str,
    gettext: Gettext,
) -> HouseholdPage:
    words = Words(labels, lang, gettext)
    mask = masker(viewer, PAGE)
    h = detail.household
    show_visits = "visits" in detail.sections
    return HouseholdPage(
        code=h.code,
        head_name=h.head_name,
        village_code=h.village_code,
        village=detail.village_name,
        household_type=words("household_type", h.household_type),
        status=h.status,
        status_label=words("household_status", h.status),
        member_count=count(h.member_count),
        income=money(detail.income) if "income" in detail.sections else None,
        month_code=str(month),
        show_visits=show_visits,
        visits=tuple(_visit(v, words, mask) for v in detail.visits),
        signals=_signals(detail.flags, {h.id: h.head_name}, words, mask) if show_visits else None,
        cases=tuple(_case(c, words, mask, sight_of(viewer)) for c in detail.cases),
    )


def _visit(visit: VisitLine, words: Words, mask: Masker) -> VisitRow:
    return VisitRow(
        visited_on=visit.visited_on.isoformat() if visit.visited_on else "",
        visitor=visit.visitor_name or "",
        mode=words("visit_mode", visit.mode),
        not_met=tuple(words.indicator(code) for code in visit.not_met),
        difficulties=mask.text(visit.difficulties),
    )

"""Print data for the archive documents, built from schema-dumped registry records. Pure.

Input: plain dicts as `printing.schemas` dumps them (dates as ISO strings, money as strings,
photos as `{"name", "sha256"}` with `sha256` None when the file never arrived) and the labels of
every code (`core.labels`, the forms' choice lists merged in by `forms.service.code_labels`:
the labels the pages show). Prints are Chinese documents: a code prints as its Chinese label,
an amount as `core.numbers.money` writes it. Output: plain dicts the Jinja templates in
`exports/` print as they are, so a template never queries anything and never decides anything.
Images are named `attachment:photo/<sha256>` or `attachment:signature/<sha256>`; the renderer's
URL fetcher resolves exactly those (and `exports/` assets), nothing else.
No Flask, SQLAlchemy, clock or files here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.core.clock import Month
from server.core.labels import Labels
from server.core.numbers import count, money
from server.monitoring.rules import VisitTally

Record = dict[str, Any]

INCOME_ROWS = (
    ("wages", "工资性收入"),
    ("production", "生产经营性收入"),
    ("property", "财产性收入"),
    ("transfers", "转移性收入"),
    ("production_costs", "生产经营性支出（扣除）"),
    ("rigid_spending", "刚性支出（扣除）"),
)
NEXT_STEP_STATUSES = ("planned", "in_progress")


def label(labels: Labels, list_name: str, code: str | None) -> str:
    return labels.of(list_name, code, "zh")


def labels_of(labels: Labels, list_name: str, codes: list[str] | None) -> str:
    return labels.join(list_name, codes, "zh")


def amount(value: str | None) -> str:
    """Money as dumped (a decimal string, or None) → `28,000.00`."""
    return "" if value is None or value == "" else money(value)


def date_zh(iso: str | None) -> str:
    """2026-11-25 → 2026年11月25日 (the form a village clerk writes)."""
    if not iso:
        return ""
    year, month, day = iso[:10].split("-")
    return f"{year}年{int(month)}月{int(day)}日"


def month_zh(month: str) -> str:
    return Month.parse(month).zh


def image(kind: str, attachment: Record | None) -> Record | None:
    """`None`: nothing was asked; `{"missing": True}`: the file never reached the server."""
    if attachment is None or not attachment.get("name"):
        return None
    sha = attachment.get("sha256")
    if not sha:
        return {"missing": True, "name": attachment["name"], "src": None}
    return {"missing": False, "name": attachment["name"], "src": f"attachment:{kind}/{sha}"}


def place(area: Record) -> str:
    return "".join(area.get(k) or "" for k in ("county_name", "town_name", "village_name"))


# --- household archive record (户档案) ----------------------------------------------------------


def household_archive(
    household: Record,
    *,
    area: Record,
    members: list[Record],
    helpers: list[Record],
    measures: list[Record],
    visits: list[Record],
    tallies: Mapping[str, VisitTally],
    events: list[Record],
    house_photo: Record | None,
    head_signature: Record | None,
    labels: Labels,
) -> Record:
    return {
        "kind": "household",
        "title": f"户档案 {household['head_name']}（{area.get('village_name') or ''}）",
        "archive_no": household.get("archive_no") or "",
        "area": {**area, "place": place(area)},
        "household": _household_fields(household, labels),
        "members": [_member_row(m, labels) for m in members],
        "income": _income_rows(household),
        "risk": {
            "causes": labels_of(labels, "risk_cause", household.get("risk_causes")),
            "main": label(labels, "risk_cause", household.get("main_risk")),
            "description": household.get("risk_description") or "",
        },
        "helpers": [_helper_row(h, labels) for h in helpers],
        "measures": [_measure_row(m, labels) for m in measures],
        "visit_summary": _visit_summary(visits, tallies),
        "events": [
            {
                "type": label(labels, "event_type", e["event_type"]),
                "occurred_on": date_zh(e.get("occurred_on")),
                "status": label(labels, "event_status", e.get("status")),
            }
            for e in events
        ],
        "house_photo": image("photo", house_photo),
        "head_signature": image("signature", head_signature),
    }


def _household_fields(household: Record, labels: Labels) -> Record:
    kind_other = household.get("household_type_other")
    household_type = label(labels, "household_type", household["household_type"])
    return {
        "code": household["code"],
        "head_name": household["head_name"],
        "head_id_number": household.get("head_id_number") or "",
        "phone": household.get("head_phone") or "",
        "type": f"{household_type}（{kind_other}）" if kind_other else household_type,
        "kind": label(labels, "household_kind", household["household_kind"]),
        "status": label(labels, "household_status", household.get("status")),
        "identified_on": date_zh(household.get("identified_on")),
        "natural_village": household.get("natural_village") or "",
        "address": household.get("address") or "",
        "member_count": count(household.get("member_count") or len(household.get("members") or [])),
    }


def _member_row(member: Record, labels: Labels) -> Record:
    health = labels_of(labels, "health", member.get("health"))
    if member.get("disability_grade"):
        health += f"（{label(labels, 'disability_grade', member['disability_grade'])}）"
    schooling = label(labels, "schooling", member.get("schooling"))
    return {
        "name": member["name"],
        "id_number": member.get("id_number") or "",
        "relation": label(labels, "relation", member.get("relation")),
        "sex": label(labels, "sex", member.get("sex")),
        "birth_date": member.get("birth_date") or "",
        "health": health,
        "education": schooling or label(labels, "education", member.get("education")),
        "labour": label(labels, "labour", member.get("labour")),
        "work": label(labels, "work_status", member.get("work_status")),
        "insurance": labels_of(labels, "insurance", member.get("insurance")),
        "benefits": labels_of(labels, "benefits", member.get("benefits")),
    }


def _income_rows(household: Record) -> Record:
    income = household.get("income") or {}
    return {
        "rows": [(title, amount(income.get(key))) for key, title in INCOME_ROWS],
        "per_capita_net": amount(household.get("per_capita_net_income")),
        "note": income.get("note") or "",
    }


def _helper_row(helper: Record, labels: Labels) -> Record:
    return {
        "role": label(labels, "helper_role", helper["role"]),
        "name": helper["name"],
        "phone": helper.get("phone") or "",
        "unit": helper.get("unit") or "",
        "period": date_zh(helper.get("started_on"))
        + "—"
        + (date_zh(helper.get("ended_on")) or "至今"),
        "current": helper.get("ended_on") is None,
    }


def _measure_row(measure: Record, labels: Labels) -> Record:
    return {
        "on": date_zh(measure.get("recorded_on")),
        "family": label(labels, "measure_family", measure["family"]),
        "detail": measure.get("detail") or "",
        "status": label(labels, "measure_status", measure.get("status")),
        "amount": amount(measure.get("amount")),
    }


def _visit_summary(visits: list[Record], tallies: Mapping[str, VisitTally]) -> Record:
    """All visits, and per month (`YYYY-MM`) the visits counted and required by the
    monitoring rule (monitoring.rules.visit_tally: the dashboard's count)."""
    dated = sorted(v["visited_on"] for v in visits if v.get("visited_on"))
    return {
        "count": len(visits),
        "first": date_zh(dated[0]) if dated else "",
        "last": date_zh(dated[-1]) if dated else "",
        "months": [(month_zh(m), t.done, t.required, t.below) for m, t in sorted(tallies.items())],
    }


# --- monthly work form (帮扶工作表) ------------------------------------------------------------


def work_form(
    household: Record,
    *,
    area: Record,
    month: str,
    visits: list[Record],
    tally: VisitTally,
    labels: Labels,
) -> Record:
    """The month's visits as recorded; `tally` counts them by the monitoring rule (a phone
    call counts only where the settings say so) against the visits the household owed."""
    ordered = sorted(visits, key=lambda v: (v.get("visited_on") or "", v["id"]))
    return {
        "kind": "work-form",
        "title": f"帮扶工作表 {household['head_name']} {month_zh(month)}",
        "archive_no": household.get("archive_no") or "",
        "area": {**area, "place": place(area)},
        "month": month,
        "month_zh": month_zh(month),
        "household": {
            "code": household["code"],
            "head_name": household["head_name"],
            "type": label(labels, "household_type", household["household_type"]),
            "kind": label(labels, "household_kind", household["household_kind"]),
            "member_count": count(household.get("member_count")),
            "address": household.get("address") or "",
        },
        "visit_count": len(ordered),
        "visits_counted": tally.done,
        "visits_required": tally.required,
        "below_minimum": tally.below,
        "visits": [_visit_block(v, n, labels) for n, v in enumerate(ordered, start=1)],
    }


def _visit_block(visit: Record, number: int, labels: Labels) -> Record:
    measures = [_measure_row(m, labels) for m in visit.get("measures") or []]
    indicators = visit.get("indicators") or []
    return {
        "number": number,
        "visited_on": date_zh(visit.get("visited_on")),
        "visitor": visit.get("visitor_name") or "",
        "visitor_role": label(labels, "visitor_role", visit.get("visitor_role")),
        "mode": label(labels, "visit_mode", visit.get("mode")),
        "met": "　".join(
            x
            for x in (label(labels, "met_person", visit.get("met_person")), visit.get("met_name"))
            if x
        ),
        "indicators": [_indicator_cell(i, labels) for i in indicators],
        "changes": labels_of(labels, "change_category", visit.get("change_categories")),
        "change_detail": visit.get("change_detail") or "",
        "risk_trend": label(labels, "risk_trend", visit.get("risk_trend")),
        "new_risks": labels_of(labels, "risk_cause", visit.get("new_risks")),
        "difficulties": visit.get("difficulties") or "",
        "measures": measures,
        "next_steps": [
            m
            for m, raw in zip(measures, visit.get("measures") or [], strict=True)
            if raw.get("status") in NEXT_STEP_STATUSES
        ],
        "earlier_measures": visit.get("earlier_measures") or "",
        "photos": [p for p in (image("photo", a) for a in visit.get("photos") or []) if p],
        "member_signature": image("signature", visit.get("member_signature")),
        "visitor_signature": image("signature", visit.get("visitor_signature")),
    }


def _indicator_cell(indicator: Record, labels: Labels) -> Record:
    return {
        "name": labels.indicator(indicator["code"], "zh"),
        "state": label(labels, "indicator_state", indicator["state"]),
        "not_met": indicator["state"] == "not_met",
        "detail": indicator.get("detail") or "",
    }


# --- major-event report (重大变故事项报告单) ----------------------------------------------------


def event_report(household: Record, event: Record, *, area: Record, labels: Labels) -> Record:
    details = event.get("details") or {}
    event_type = label(labels, "event_type", event["event_type"])
    if details.get("event_type_other"):
        event_type += f"（{details['event_type_other']}）"
    return {
        "kind": "event",
        "title": f"重大变故事项报告单 {household['head_name']} {date_zh(event.get('occurred_on'))}",
        "archive_no": household.get("archive_no") or "",
        "area": {**area, "place": place(area)},
        "household": {
            "code": household["code"],
            "head_name": household["head_name"],
            "type": label(labels, "household_type", household["household_type"]),
            "phone": household.get("head_phone") or "",
            "address": household.get("address") or "",
        },
        "event": {
            "id": event["id"],
            "type": event_type,
            "occurred_on": date_zh(event.get("occurred_on")),
            "discovered_on": date_zh(details.get("discovered_on")),
            "reported_on": date_zh(event.get("reported_at")),
            "member": details.get("member_name") or "",
            "member_relation": label(labels, "relation", details.get("member_relation")),
            "description": details.get("description") or "",
            "estimated_cost": amount(event.get("estimated_cost")),
            "situation": labels_of(labels, "situation", details.get("situation")),
            "situation_detail": details.get("situation_detail") or "",
            "help_needed": details.get("help_needed") or "",
            "measures_taken": details.get("measures_taken") or "",
            "departments": labels_of(labels, "department", details.get("departments")),
            "reporter": details.get("reporter_name") or "",
            "reporter_phone": details.get("reporter_phone") or "",
            "status": label(labels, "event_status", event.get("status")),
        },
        "photo": image("photo", event.get("photo")),
    }


# --- village monthly binder --------------------------------------------------------------------


def binder_cover(area: Record, *, month: str, forms: list[Record]) -> Record:
    """The cover and table of contents; `forms` are `work_form` results in binder order."""
    below = [f for f in forms if f["below_minimum"]]
    return {
        "kind": "binder",
        "title": f"{area.get('village_name') or ''} {month_zh(month)} 帮扶工作表汇编",
        "area": {**area, "place": place(area)},
        "month": month,
        "month_zh": month_zh(month),
        "household_count": len(forms),
        "visit_count": sum(f["visit_count"] for f in forms),
        "below_minimum": [
            {
                "head_name": f["household"]["head_name"],
                "visits": f["visits_counted"],
                "required": f["visits_required"],
            }
            for f in below
        ],
        "entries": [
            {
                "number": n,
                "anchor": anchor_of(f),
                "head_name": f["household"]["head_name"],
                "archive_no": f["archive_no"],
                "visits": f["visits_counted"],
                "required": f["visits_required"],
                "below_minimum": f["below_minimum"],
            }
            for n, f in enumerate(forms, start=1)
        ],
    }


def anchor_of(form: Record) -> str:
    return "hh-" + form["household"]["code"]

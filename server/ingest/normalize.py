"""Turn one submission into registry records. Pure: instance bytes and a FormSchema in, a frozen
NormalizedSubmission (server/registry/records.py) out.

Stage 1 (`extract_values` in server/ingest/values.py) is generic and driven by the FormSchema
only: every answer becomes a typed value keyed by its field name, each repeat a list of dicts.
Stage 2 (`normalize`) loads those values with
the form's marshmallow schema (server/ingest/schemas.py) and builds the records, adding the
checks the server must repeat (resident IDs, the head's row, per-capita income).

A phone cannot fix a record it has sent, so nothing here refuses a submission: a value that does
not parse becomes None plus an `Issue` for the reviewer. Only envelope problems (malformed or
unsafe XML, too large) raise, from `read_instance`, and the service has met those already.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from marshmallow import Schema, ValidationError

from server.forms.xform import FormSchema
from server.ingest.instance import DEFAULT_LIMITS, Limits, read_instance, read_tree
from server.ingest.schemas import SCHEMAS
from server.ingest.values import extract_values
from server.registry.records import (
    Event,
    EventReport,
    Helper,
    Identification,
    Income,
    Indicator,
    Issue,
    Measure,
    Member,
    NormalizedSubmission,
    Visit,
)
from server.registry.resident_id import check_resident_id

INDICATORS = (
    "food",
    "clothing",
    "education",
    "medical",
    "housing",
    "water_quantity",
    "water_quality",
    "water_convenience",
    "water_reliability",
)
WATER = frozenset(code for code in INDICATORS if code.startswith("water_"))
STATES = {"yes": "met", "no": "not_met", "na": "not_applicable"}
HELPER_ROLES = ("party_secretary", "first_secretary", "team_leader", "contact")
HEAD_RELATION = "01"
CENT = Decimal("0.01")
# The form rounds with JavaRosa's round() on binary doubles; allow that much disagreement.
FORM_ROUNDING_TOLERANCE = Decimal("0.01")


# ---------------------------------------------------------------------------------------------
# Stage 2: the records


def normalize(
    xml: bytes, schema: FormSchema, *, limits: Limits = DEFAULT_LIMITS
) -> NormalizedSubmission:
    """The registry records one submission (of the form `schema` describes) amounts to."""
    build = _BUILDERS.get(schema.form_id)
    if build is None:
        return NormalizedSubmission(
            issues=(
                Issue(
                    "form_not_mapped",
                    f"表单 {schema.form_id} 不写入监测档案 / form {schema.form_id} does not "
                    "feed the registry",
                ),
            )
        )
    instance = read_instance(xml, limits)
    issues: list[Issue] = []
    if instance.header.form_id != schema.form_id:
        issues.append(
            Issue(
                "form_id_mismatch",
                f"提交的表单编号 {instance.header.form_id} 与表单 {schema.form_id} 不符 / the "
                f"instance says form {instance.header.form_id}, not {schema.form_id}",
            )
        )
    stage1 = extract_values(read_tree(instance, schema), schema)
    issues.extend(stage1.issues)
    loaded = _load(SCHEMAS[schema.form_id], stage1.values, issues)
    if loaded is None:
        return NormalizedSubmission(issues=tuple(issues))
    return _complete_bayou(build(loaded, issues), tuple(schema.choices.get("bayou", {})))


def _complete_bayou(result: NormalizedSubmission, items: tuple[str, ...]) -> NormalizedSubmission:
    """Once 八有 was answered, every item of the form's list not reported unmet is met."""
    record = result.identification or result.visit
    if record is None or not any(i.code == "bayou:all" for i in record.indicators):
        return result
    named = {i.code for i in record.indicators}
    met = tuple(Indicator(f"bayou:{item}", "met") for item in items if f"bayou:{item}" not in named)
    completed = replace(record, indicators=record.indicators + met)
    if result.identification is not None:
        return replace(result, identification=completed)
    return replace(result, visit=completed)


def _load(schema_class: type[Schema], values: Mapping[str, Any], issues: list[Issue]) -> Any:
    """Load with the form's schema. Invalid values become issues and are loaded as None; if the
    record still cannot be built (a required answer is missing), None."""
    data = _copy(values)
    try:
        return schema_class().load(data)
    except ValidationError as err:
        failed = list(_flatten(err.messages))
    for path, message in failed:
        issues.append(_schema_issue(path, message))
        _blank(data, path)
    try:
        return schema_class().load(data)
    except ValidationError:
        return None


def _copy(values: Any) -> Any:
    if isinstance(values, Mapping):
        return {k: _copy(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_copy(v) for v in values]
    return values


def _flatten(messages: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """marshmallow's nested error dict → (path, message) pairs; list indexes stay ints."""
    if isinstance(messages, dict):
        out: list[tuple[tuple, str]] = []
        for key, inner in messages.items():
            out += _flatten(inner, (*path, key))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(path, "; ".join(messages))]
    return [(path, str(messages))]


def _blank(data: Any, path: tuple) -> None:
    *parents, last = path
    for key in parents:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return
    in_list = isinstance(data, list) and isinstance(last, int) and last < len(data)
    if isinstance(data, dict) or in_list:
        data[last] = None


def _schema_issue(path: tuple, message: str) -> Issue:
    where = _path_text(path)
    if message in {"Missing data for required field.", "Field may not be null."}:
        return Issue("missing_required", f"缺少必填项 {where} / {where} is required", where)
    return Issue("invalid_value", f"{where} 的值无效 / invalid value for {where}: {message}", where)


def _path_text(path: tuple) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("/" if text else "") + str(part)
    return text


def _identification(data: dict[str, Any], issues: list[Issue]) -> NormalizedSubmission:
    today = data["today"]
    members = tuple(_member(row) for row in data["members"])
    head_id = data["head_id_number"]
    _check_id(head_id, "head_id", today, issues)
    for number, member in enumerate(members, start=1):
        path = f"members[{number}]"
        if _check_id(member.id_number, f"{path}/member_id", today, issues):
            _check_member_matches_id(member, path, issues)
    _check_head_row(data, members, issues)
    record = Identification(
        village_code=data["village_code"],
        natural_village=data["natural_village"],
        address=data["address"],
        location=data["location"],
        household_type=data["household_type"],
        household_type_other=data["household_type_other"],
        household_kind=data["household_kind"],
        identified_on=data["identified_on"],
        head_name=data["head_name"],
        head_id_number=head_id,
        phone=data["phone"],
        members=members,
        income=_income(data, len(members), issues),
        risk_causes=data["risk_causes"],
        main_risk=data["main_risk"],
        risk_description=data["risk_description"],
        indicators=_indicators(data),
        helpers=_helpers(data["helpers"]),
        house_photo=data["house_photo"],
        head_signature=data["head_signature"],
        collector_name=data["collector_name"],
        collector_phone=data["collector_phone"],
    )
    return NormalizedSubmission(identification=record, issues=tuple(issues))


def _visit(data: dict[str, Any], issues: list[Issue]) -> NormalizedSubmission:
    event = None
    if data["major_event_found"] == "yes":
        event = _event(data["event"], "event_type", issues)
    record = Visit(
        household_code=data["household_code"],
        visited_on=data["visited_on"],
        visitor_name=data["visitor_name"],
        visitor_role=data["visitor_role"],
        visitor_phone=data["visitor_phone"],
        mode=data["mode"],
        met_person=data["met_person"],
        met_name=data["met_name"],
        indicators=_indicators(data),
        change_categories=data["change_categories"],
        change_detail=data["change_detail"],
        risk_trend=data["risk_trend"],
        new_risks=data["new_risks"],
        difficulties=data["difficulties"],
        measures=tuple(Measure(**row) for row in data["measures"] if row["family"]),
        earlier_measures=data["earlier_measures"],
        event=event,
        location=data["location"],
        started_at=data["start"],
        ended_at=data["end"],
        photos=tuple(row["photo"] for row in data["photos"] if row["photo"]),
        member_signature=data["member_signature"],
        visitor_signature=data["visitor_signature"],
    )
    return NormalizedSubmission(visit=record, issues=tuple(issues))


def _event_report(data: dict[str, Any], issues: list[Issue]) -> NormalizedSubmission:
    _check_id(data["event"]["member_id_number"], "member_id", data["today"], issues)
    event = _event(data["event"], "event_type", issues)
    if event is None:
        return NormalizedSubmission(issues=tuple(issues))
    record = EventReport(household_code=data["household_code"], event=event, photo=data["photo"])
    return NormalizedSubmission(event_report=record, issues=tuple(issues))


_BUILDERS: dict[str, Callable[[dict[str, Any], list[Issue]], NormalizedSubmission]] = {
    "household_archive": _identification,
    "assistance_visit": _visit,
    "major_event": _event_report,
}


def _event(values: dict[str, Any], type_field: str, issues: list[Issue]) -> Event | None:
    if not values.get("event_type"):
        issues.append(
            Issue("missing_required", f"缺少变故类型 / {type_field} is required", type_field)
        )
        return None
    return Event(**values)


def _member(row: dict[str, Any]) -> Member:
    return Member(**row)


def _income(data: dict[str, Any], members: int, issues: list[Issue]) -> Income:
    """Per-capita net income, recomputed: (wages + production + property + transfers −
    production costs) ÷ members, ROUND_HALF_UP to 0.01 (domain.md §4.4). A missing component
    counts as 0, as in the form's own calculation."""
    parts = data["income"]
    per_capita = None
    if members == 0:
        issues.append(
            Issue(
                "no_members",
                "没有家庭成员，无法计算人均纯收入 / no household members: the per-capita net "
                "income cannot be computed",
                "members",
            )
        )
    else:
        with localcontext() as ctx:
            ctx.prec = 34
            net = sum(
                (parts[k] or Decimal(0) for k in ("wages", "production", "property", "transfers")),
                Decimal(0),
            ) - (parts["production_costs"] or Decimal(0))
            per_capita = (net / members).quantize(CENT, rounding=ROUND_HALF_UP)
        _compare_with_form(per_capita, data["form_per_capita_net"], issues)
    return Income(**parts, per_capita_net=per_capita)


def _compare_with_form(server: Decimal, form: Decimal | None, issues: list[Issue]) -> None:
    if form is None:
        return
    try:
        differs = abs(server - form) > FORM_ROUNDING_TOLERANCE
    except InvalidOperation:
        differs = True
    if differs:
        issues.append(
            Issue(
                "per_capita_mismatch",
                f"表单计算的人均纯收入 {form} 与服务器计算的 {server} 不符 / the form's "
                f"per-capita net income {form} differs from the server's {server}",
                "per_capita_net_income",
            )
        )


def _indicators(data: dict[str, Any]) -> tuple[Indicator, ...]:
    """The nine core indicators, then 八有: `bayou:all`, and one `bayou:<item>` per unmet item
    with its detail (the form's bayou_gaps rows name their item in bayou_item)."""
    found: list[Indicator] = []
    for code in INDICATORS:
        answer = data["indicators"][code]
        state = STATES.get(answer["state"] or "")
        if state is None:
            continue
        detail = answer.get("detail")
        if code in WATER:
            detail = data["water_detail"] if state == "not_met" else None
        found.append(Indicator(code, state, detail))
    all_met = STATES.get(data["bayou_all_met"] or "")
    if all_met is None:
        return tuple(found)
    found.append(Indicator("bayou:all", all_met))
    if all_met == "not_met":
        gaps = data["bayou_gaps"]
        details = {row["item"]: row["detail"] for row in gaps if row["item"]}
        for position, item in enumerate(data["bayou_unmet"]):
            detail = details.get(item)
            if detail is None and position < len(gaps) and not gaps[position]["item"]:
                detail = gaps[position]["detail"]  # the row lost its calculated item code
            found.append(Indicator(f"bayou:{item}", "not_met", detail))
    return tuple(found)


def _helpers(helpers: dict[str, dict[str, Any]]) -> tuple[Helper, ...]:
    return tuple(
        Helper(role, person["name"], person.get("phone"), person.get("unit"))
        for role in HELPER_ROLES
        if (person := helpers[role])["name"]
    )


def _check_id(number: str | None, path: str, today: date | None, issues: list[Issue]) -> bool:
    """Report an invalid resident ID; True when the number is present and valid."""
    if not number:
        return False
    check = check_resident_id(number, today=today)
    if not check.ok:
        problems = ", ".join(check.problems)
        issues.append(
            Issue(
                "invalid_resident_id",
                f"身份证号 {number} 无效（{problems}）/ invalid resident ID {number}: {problems}",
                path,
            )
        )
    return check.ok


def _check_member_matches_id(member: Member, path: str, issues: list[Issue]) -> None:
    check = check_resident_id(member.id_number or "")
    if member.sex and check.sex and member.sex != check.sex:
        issues.append(
            Issue(
                "resident_id_mismatch",
                f"{member.name} 的性别与身份证号第17位不符 / {member.name}: the sex does not "
                "match the ID number's 17th digit",
                f"{path}/sex",
            )
        )
    if member.birth_date and check.birth_date and member.birth_date != check.birth_date:
        issues.append(
            Issue(
                "resident_id_mismatch",
                f"{member.name} 的出生日期 {member.birth_date} 与身份证号中的 "
                f"{check.birth_date} 不符 / {member.name}: the birth date does not match the "
                "ID number",
                f"{path}/birth_date",
            )
        )


def _check_head_row(data: dict[str, Any], members: tuple[Member, ...], issues: list[Issue]) -> None:
    """The form's rule: the first member is the head (same ID and name, relation 01)."""
    if not members:
        return
    first = members[0]
    wrong = []
    if first.id_number != data["head_id_number"]:
        wrong.append("身份证号 / ID number")
    if first.name != data["head_name"]:
        wrong.append("姓名 / name")
    if first.relation != HEAD_RELATION:
        wrong.append("与户主关系 / relation")
    if wrong:
        listed = "、".join(wrong)
        issues.append(
            Issue(
                "head_not_first_member",
                f"第一位家庭成员应为户主本人，不符：{listed} / the first member must be the "
                f"household head; differs in: {listed}",
                "members[1]",
            )
        )

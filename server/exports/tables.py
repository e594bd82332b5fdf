"""What an export contains, as data (pure): table specs with Chinese/English headers, masking
of personal data, and the flattening of a submission's tree (server/ingest/instance.py) into a
main row plus one row per repeat item (ODK Central's layout: repeats are their own tables,
linked by KEY / PARENT_KEY).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from server.access.policy import Masker
from server.exports.cells import cell
from server.forms.xform import Field, FormSchema
from server.ingest.instance import InstanceTree, Record
from server.ingest.values import NUMBER_KINDS, Unparseable, number

# Kinds of personal data and how they are masked for roles that may not see them.
# Kinds of personal field: the Masker's (access.policy) names for them.
ID_NUMBER, PHONE, GPS, GEOPOINT = "id_number", "phone", "coordinate", "geopoint"
TEXT = "text"  # free text: an ID or phone number written inside it is masked


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # Chinese first, English second: "户编号 Household code"
    sensitive: str | None = None
    number: str | None = None  # a form field's numeric type ("int", "decimal")


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str  # file / sheet name
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def as_number(kind: str, raw: Any) -> Any:
    """A numeric answer as a number, so that `-3` is a number cell and not text; what does not
    parse, or would lose digits in a spreadsheet (over 15), stays the text that was sent."""
    if not isinstance(raw, str) or not raw:
        return raw
    try:
        value = number(kind, raw)
    except Unparseable:
        return raw
    return value if len(Decimal(value).as_tuple().digits) <= 15 else raw


def row_renderer(spec: TableSpec, masker: Masker):  # type: ignore[no-untyped-def]
    """A function turning a row (a tuple in the spec's column order, or a dict by column key)
    into the values to write, with the sensitive columns as `masker` (access.policy) shows them
    to this viewer and numeric answers as numbers. Rows with nothing to do pass through
    untouched: the CSV writer formats dates and decimals itself (`str`), the XLSX writer
    converts what Excel cannot hold (`cells.cell`), and both neutralise formula-like text."""
    masks = [
        (i, mask)
        for i, c in enumerate(spec.columns)
        if c.sensitive and (mask := masker.mask_of(c.sensitive)) is not None
    ]
    numbers = [(i, c.number) for i, c in enumerate(spec.columns) if c.number]
    keys = [c.key for c in spec.columns]

    def render(row: Any) -> Any:
        if isinstance(row, dict):
            row = [row.get(k) for k in keys]
        elif masks or numbers:
            row = list(row)
        for i, masker in masks:
            value = row[i]
            if value is not None and value != "":
                row[i] = masker(value)
        for i, kind in numbers:
            row[i] = as_number(kind, row[i])
        return row

    return render


def render_row(spec: TableSpec, row: Any, masker: Masker) -> list[Any]:
    return [cell(v) for v in row_renderer(spec, masker)(row)]


# ---------------------------------------------------------------------------------------------
# Registry tables

HOUSEHOLDS = TableSpec(
    "households",
    (
        Column("code", "户编号 Household code"),
        Column("village_code", "行政村代码 Village code"),
        Column("head_name", "户主 Head"),
        Column("head_id_number", "户主身份证号 Head ID number", ID_NUMBER),
        Column("head_phone", "联系电话 Phone", PHONE),
        Column("household_type", "监测类别 Monitoring type"),
        Column("household_kind", "户类型 Household kind"),
        Column("status", "状态 Status"),
        Column("member_count", "家庭人口 Members"),
        Column("per_capita_net_income", "人均纯收入 Per-capita net income"),
        Column("identified_on", "识别日期 Identified on"),
        Column("main_risk", "主要风险 Main risk"),
        Column("latitude", "住址纬度 Home latitude", GPS),
        Column("longitude", "住址经度 Home longitude", GPS),
    ),
)
MEMBERS = TableSpec(
    "members",
    (
        Column("household_code", "PARENT_KEY 户编号 Household code"),
        Column("position", "序号 Position"),
        Column("name", "姓名 Name"),
        Column("id_number", "身份证号 ID number", ID_NUMBER),
        Column("relation", "与户主关系 Relation"),
        Column("sex", "性别 Sex"),
        Column("birth_date", "出生日期 Birth date"),
    ),
)
VISITS = TableSpec(
    "visits",
    (
        Column("id", "KEY 走访编号 Visit id"),
        Column("household_code", "PARENT_KEY 户编号 Household code"),
        Column("village_code", "行政村代码 Village code"),
        Column("visited_on", "走访日期 Visit date"),
        Column("visitor_name", "走访人 Visitor"),
        Column("visitor_phone", "走访人电话 Visitor's phone", PHONE),
        Column("mode", "走访方式 Mode"),
        Column("met_person", "见到的人 Who was met"),
        Column("risk_trend", "风险变化 Risk trend"),
        Column("difficulties", "困难及诉求 Difficulties", TEXT),
        Column("latitude", "走访纬度 Visit latitude", GPS),
        Column("longitude", "走访经度 Visit longitude", GPS),
        Column("started_at", "开始时间 Started"),
        Column("ended_at", "结束时间 Ended"),
    ),
)
INDICATORS = TableSpec(
    "indicators",
    (
        Column("visit_id", "PARENT_KEY 走访编号 Visit id"),
        Column("household_code", "户编号 Household code"),
        Column("observed_on", "日期 Date"),
        Column("code", "指标 Indicator"),
        Column("state", "状态 State"),
        Column("detail", "说明 Detail", TEXT),
    ),
)
MEASURES = TableSpec(
    "measures",
    (
        Column("visit_id", "PARENT_KEY 走访编号 Visit id"),
        Column("household_code", "户编号 Household code"),
        Column("recorded_on", "日期 Date"),
        Column("family", "措施类别 Family"),
        Column("detail", "具体措施 Measure", TEXT),
        Column("status", "落实情况 Status"),
        Column("amount", "金额 Amount"),
    ),
)
EVENTS = TableSpec(
    "major_events",
    (
        Column("id", "KEY 编号 Id"),
        Column("household_code", "PARENT_KEY 户编号 Household code"),
        Column("event_type", "变故类型 Type"),
        Column("occurred_on", "发生日期 Occurred on"),
        Column("reported_at", "报告时间 Reported at"),
        Column("status", "状态 Status"),
        Column("estimated_cost", "预计费用 Estimated cost"),
    ),
)
REGISTRY_TABLES = (HOUSEHOLDS, MEMBERS, VISITS, INDICATORS, MEASURES, EVENTS)


# ---------------------------------------------------------------------------------------------
# Submissions: one table for the form, one per repeat

SENSITIVE_NAMES = {"id_number": ID_NUMBER, "phone": PHONE}
META = (
    Column("KEY", "KEY"),
    Column("SubmissionDate", "提交时间 SubmissionDate"),
    Column("SubmitterID", "提交人 SubmitterID"),
)


def _column(schema: FormSchema, f: Field) -> Column:
    sensitive = _sensitive(f)
    # A sensitive number (a phone, an ID) stays text: masked, or too long for a number cell.
    kind = f.kind if f.kind in NUMBER_KINDS and sensitive is None else None
    return Column(f.path, _header(schema, f), sensitive, kind)


def _sensitive(f: Field) -> str | None:
    if f.kind == "geopoint":
        return GEOPOINT
    named = next((kind for part, kind in SENSITIVE_NAMES.items() if part in f.name), None)
    return named or (TEXT if f.kind == "string" else None)


def _header(schema: FormSchema, f: Field) -> str:
    label = schema.label_of(f, "zh")  # stored at publish; a reference to an answer is named
    column = _column_name(schema, f)
    return f"{label} {column}".strip() if label else column


def _column_name(schema: FormSchema, f: Field) -> str:
    """Central's column name: the path below the form root (or the repeat), '-'-joined."""
    base = f.repeat or _root(schema)
    return f.path[len(base) + 1 :].replace("/", "-")


def _root(schema: FormSchema) -> str:
    return schema.root if schema.root.startswith("/") else f"/{schema.root}"


def submission_tables(schema: FormSchema) -> tuple[TableSpec, ...]:
    """The main table (`<form_id>`) then one per repeat (`<form_id>-<repeat name>`)."""
    leaves = [f for f in schema.fields if f.kind not in ("group", "repeat")]
    main = TableSpec(
        schema.form_id,
        (
            *META,
            *(_column(schema, f) for f in leaves if f.repeat is None),
        ),
    )
    tables = [main]
    for repeat in schema.fields_of_kind("repeat"):
        columns = [_column(schema, f) for f in leaves if f.repeat == repeat.path]
        name = f"{schema.form_id}-{repeat.name}"
        tables.append(
            TableSpec(name, (*columns, Column("PARENT_KEY", "PARENT_KEY"), Column("KEY", "KEY")))
        )
    return tuple(tables)


def flatten_submission(
    schema: FormSchema, tree: InstanceTree, meta: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table name, row) for the main row then every repeat item, depth first (an instance's
    tree from `ingest.instance`: KEY and PARENT_KEY as the tree keys them)."""
    yield schema.form_id, {**meta, **tree.root.values}
    names = {f.path: f"{schema.form_id}-{f.name}" for f in schema.fields_of_kind("repeat")}
    yield from _items(tree.root, names)


def _items(record: Record, names: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for repeat, items in record.repeats.items():
        for item in items:
            yield names[repeat], {**item.values, "PARENT_KEY": item.parent_key, "KEY": item.key}
            yield from _items(item, names)

"""Stage 1 of normalisation: every answer of an instance as a typed value keyed by its field name.

Pure and driven by the FormSchema only (no per-form lists): groups are flattened (XLSForm names
are unique), each repeat becomes a list of dicts of its own fields, and each value is coerced by
its bind type. A value that does not parse becomes None plus an `Issue`, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from server.core.geo import GeoPoint, parse_geopoint
from server.forms.xform import Field, FormSchema
from server.ingest.instance import Element
from server.registry.records import Issue

# `meta` is the OpenRosa envelope (deprecatedID, audit, entity…): never an unknown field.
ENVELOPE = "meta"
MAX_LISTED_UNKNOWN = 20

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")  # beyond that it is no count a person typed
MAX_DECIMAL_DIGITS = 18  # integer digits: keeps every sum and quantize exact and bounded
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_KINDS = ("int", "decimal")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?")


# ---------------------------------------------------------------------------------------------
# Stage 1: typed values by field name


class Unparseable(ValueError):
    """A raw answer that does not fit its field's type; `code` is the Issue code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Values:
    """The answers of one instance: field name → typed value; a repeat → list of such dicts."""

    values: Mapping[str, Any]
    issues: tuple[Issue, ...]


def coerce(field: Field, raw: str) -> Any:
    """The typed value of one answer (already stripped), by the field's bind type and control.

    Empty: None (a select_multiple: an empty tuple). Raises `Unparseable` otherwise.
    """
    if field.control == "select":
        return tuple(raw.split())
    if raw == "":
        return None
    kind = field.kind
    if kind in NUMBER_KINDS:
        return number(kind, raw)
    if kind == "date":
        return _parse_date(raw)
    if kind == "dateTime":
        return _parse_datetime(raw)
    if kind == "geopoint":
        return _parse_geopoint(raw)
    return raw


def extract_values(root: Element, schema: FormSchema) -> Values:
    """Stage 1 over an instance's root element (from `read_instance`).

    Issue paths name repeats and the field: `members[2]/work_months`, `wage_income` (groups
    are left out, names being unique). Unknown elements are listed with their full path.
    """
    reader = _Reader({_relative(f.path): f for f in schema.fields}, schema)
    values = reader.container(None)
    reader.read(root, "", "", "", values)
    issues = reader.issues
    if reader.unknown:
        shown = reader.unknown[:MAX_LISTED_UNKNOWN]
        more = len(reader.unknown) - len(shown)
        listed = "、".join(shown) + (f" (+{more})" if more else "")
        issues.append(
            Issue(
                "unknown_fields",
                f"表单中没有这些字段，其内容未录入：{listed} / "
                f"elements the form does not define, not recorded: {listed}",
            )
        )
    return Values(values, tuple(issues))


class _Reader:
    def __init__(self, by_path: dict[str, Field], schema: FormSchema) -> None:
        self.by_path = by_path
        self.schema = schema
        self.issues: list[Issue] = []
        self.unknown: list[str] = []

    def container(self, repeat: str | None) -> dict[str, Any]:
        """A fresh dict for the root or a repeat row, with its repeats present as empty lists
        (Collect omits a repeat with no rows, and a non-relevant one)."""
        fields = self.schema.fields
        return {f.name: [] for f in fields if f.kind == "repeat" and f.repeat == repeat}

    def read(
        self,
        node: Element,
        schema_prefix: str,
        element_prefix: str,
        issue_prefix: str,
        target: dict,
    ) -> None:
        for child in node:
            name = _local(child.tag)
            path = f"{schema_prefix}{name}"
            where = f"{element_prefix}{name}"
            field = self.by_path.get(path)
            if field is None:
                if path != ENVELOPE and not path.startswith(ENVELOPE + "/"):
                    self.unknown.append(where)
            elif field.kind == "repeat":
                rows = target.setdefault(name, [])
                row = self.container(field.path)
                rows.append(row)
                prefix = f"{issue_prefix}{name}[{len(rows)}]/"
                self.read(child, path + "/", f"{where}[{len(rows)}]/", prefix, row)
            elif field.kind == "group":
                self.read(child, path + "/", where + "/", issue_prefix, target)
            else:
                self.leaf(field, child, f"{issue_prefix}{name}", target)
                self.unknown.extend(f"{where}/{_local(c.tag)}" for c in child)

    def leaf(self, field: Field, element: Element, path: str, target: dict) -> None:
        raw = (element.text or "").strip()
        try:
            target[field.name] = coerce(field, raw)
        except Unparseable as exc:
            target[field.name] = None
            self.issues.append(_unparseable_issue(exc.code, path, raw))


_UNPARSEABLE = {
    "not_a_number": ("不是有效的数字", "is not a number"),
    "not_a_date": ("不是有效的日期", "is not a date"),
    "not_a_datetime": ("不是带时区的有效时间", "is not a date and time with a time zone"),
    "not_a_geopoint": ("不是有效的GPS坐标", "is not a GPS point"),
}


def _unparseable_issue(code: str, path: str, raw: str) -> Issue:
    zh, en = _UNPARSEABLE[code]
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    return Issue(code, f"{path} 的值“{shown}”{zh} / {path}: {shown!r} {en}", path)


def number(kind: str, raw: str) -> int | Decimal:
    """An `int` or `decimal` answer as a number; raises `Unparseable` (also read by exports)."""
    if kind == "int":
        if not _INTEGER.fullmatch(raw):
            raise Unparseable("not_a_number")
        return int(raw)
    value = Decimal(raw) if _DECIMAL.fullmatch(raw) and len(raw) <= 64 else None
    if value is None or value.adjusted() >= MAX_DECIMAL_DIGITS:
        raise Unparseable("not_a_number")
    return value


def _parse_date(raw: str) -> date:
    if not _DATE.fullmatch(raw):
        raise Unparseable("not_a_date")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise Unparseable("not_a_date") from exc


def _parse_datetime(raw: str) -> datetime:
    if not _DATETIME.fullmatch(raw):
        raise Unparseable("not_a_datetime")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Unparseable("not_a_datetime") from exc
    if value.tzinfo is None:
        raise Unparseable("not_a_datetime")
    return value


def _parse_geopoint(raw: str) -> GeoPoint:
    point = parse_geopoint(raw)
    if point is None:
        raise Unparseable("not_a_geopoint")
    return point


def _relative(schema_path: str) -> str:
    """`/data/members/member_id` → `members/member_id`."""
    return schema_path.split("/", 2)[2] if schema_path.count("/") >= 2 else ""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

"""Stage 1 of normalisation: every answer of an instance as a typed value keyed by its field name.

Pure and driven by the FormSchema only (no per-form lists): it reads the instance's one tree
(server/ingest/instance.py), groups flattened (XLSForm names are unique), each repeat a list of
dicts of its own fields, and coerces each value by its bind type. A value that does not parse
becomes None plus an `Issue`, never an exception; so do elements the form does not define and
a field sent twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from server.core.geo import GeoPoint, parse_geopoint
from server.forms.xform import Field, FormSchema
from server.ingest.instance import InstanceTree, Record
from server.registry.records import Issue

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


def extract_values(tree: InstanceTree, schema: FormSchema) -> Values:
    """Stage 1 over an instance's tree (from `read_tree`).

    Issue paths name repeats and the field: `members[2]/work_months`, `wage_income` (groups
    are left out, names being unique). Unknown elements are listed with their full path.
    """
    reader = _Reader(schema)
    values = reader.record(tree.root, "")
    issues = reader.issues
    if tree.unknown:
        issues.append(_listed_issue("unknown_fields", tree.unknown, *_UNKNOWN))
    if tree.duplicates:
        where = [d.location for d in tree.duplicates]
        issues.append(_listed_issue("duplicate_fields", where, *_DUPLICATE))
    return Values(values, tuple(issues))


_UNKNOWN = (
    "表单中没有这些字段，其内容未录入",
    "elements the form does not define, not recorded",
)
_DUPLICATE = (
    "这些字段重复出现，只录入了第一个",
    "elements sent more than once, only the first recorded",
)


def _listed_issue(code: str, where: Sequence[str], zh: str, en: str) -> Issue:
    shown = where[:MAX_LISTED_UNKNOWN]
    more = len(where) - len(shown)
    listed = "、".join(shown) + (f" (+{more})" if more else "")
    return Issue(code, f"{zh}：{listed} / {en}: {listed}")


class _Reader:
    def __init__(self, schema: FormSchema) -> None:
        # The answers and repeats of each record: its fields, by the repeat they belong to.
        self.members: dict[str | None, list[Field]] = {}
        for field in schema.fields:
            if field.kind != "group":
                self.members.setdefault(field.repeat, []).append(field)
        self.issues: list[Issue] = []

    def record(self, record: Record, issue_prefix: str) -> dict[str, Any]:
        """A dict of the record's typed answers by field name; each repeat a list of dicts."""
        target: dict[str, Any] = {}
        for field in self.members.get(record.repeat, ()):
            if field.kind == "repeat":
                target[field.name] = [
                    self.record(item, f"{issue_prefix}{field.name}[{item.position}]/")
                    for item in record.repeats.get(field.path, ())
                ]
            elif field.path in record.values:
                raw = record.values[field.path]
                try:
                    target[field.name] = coerce(field, raw)
                except Unparseable as exc:
                    target[field.name] = None
                    path = f"{issue_prefix}{field.name}"
                    self.issues.append(_unparseable_issue(exc.code, path, raw))
        return target


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

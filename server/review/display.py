"""What a reviewer reads: a submission's answers under the form's own labels.

Pure: an instance's tree (server/ingest/instance.py) and the FormSchema stored at publish in,
frozen dataclasses out; no Flask, SQLAlchemy, clock or files, and never the XForm. Groups
become headed sections, repeats become tables, select answers show their choice labels, file
answers and geopoints are marked for the page to show as thumbnails and distances. `flatten` +
`diff` compare two versions field by field. Answers follow the form's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from server.core.geo import parse_geopoint
from server.forms.xform import Field, FormSchema
from server.ingest.instance import InstanceTree, Record

_HIDDEN = {"meta", "start", "end", "today", "deviceid", "username", "instanceID"}


@dataclass(frozen=True, slots=True)
class Answer:
    path: str
    label: str  # the question's label, any answer it shows filled in
    value: str  # what to show (a choice label, "lat, lon", or the raw text)
    raw: str
    kind: str  # the bind type: string, binary, geopoint, date…
    hidden: bool = False  # withheld from this viewer (health details before a reveal)


@dataclass(frozen=True, slots=True)
class Table:
    path: str
    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Answer | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    items: tuple[Answer | Table, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Change:
    label: str
    old: str
    new: str
    field: str = ""  # the field's name, e.g. member_id
    hidden: bool = False  # withheld from this viewer (health details before a reveal)


def layout(
    tree: InstanceTree, schema: FormSchema, choices: dict[str, dict[str, str]], lang: str = "zh"
) -> tuple[Section, ...]:
    """The answers of one instance, grouped by the form's top-level groups.

    `choices`: list name → {item name: label}, the form's (`FormSchema.choice_labels`) and
    the server's generated lists (towns and villages by name)."""
    page = _Page(tree, schema, choices, lang)
    sections: list[Section] = []
    for spec in page.children(schema.root):
        if spec.name in _HIDDEN:
            continue
        if spec.kind == "group":
            items = page.items(tree.root, spec.path)
            if items:
                sections.append(Section(page.label(spec), items))
            continue
        items = page.item(tree.root, spec)
        if sections and sections[-1].label == "":
            sections[-1] = Section("", sections[-1].items + items)
        elif items:
            sections.append(Section("", items))
    return tuple(sections)


class _Page:
    def __init__(
        self,
        tree: InstanceTree,
        schema: FormSchema,
        choices: dict[str, dict[str, str]],
        lang: str,
    ) -> None:
        self.tree, self.schema, self.choices, self.lang = tree, schema, choices, lang
        self.under: dict[str, list[Field]] = {}
        for f in schema.fields:
            self.under.setdefault(f.path.rsplit("/", 1)[0], []).append(f)

    def children(self, path: str) -> list[Field]:
        return self.under.get(path, [])

    def label(self, spec: Field, record: Record | None = None) -> str:
        """The label in the page's language; an answer it shows is taken from the record (or
        the root), and without a record (a column header) the question it comes from is named."""
        value_of = None if record is None else self._value_of(record)
        return self.schema.label_of(spec, self.lang, value_of) or spec.name

    def _value_of(self, record: Record) -> Callable[[str], str | None]:
        def value_of(name: str) -> str | None:
            spec = self.schema.field_named(name)
            if spec is None:
                return None
            raw = record.values.get(spec.path) or self.tree.root.values.get(spec.path)
            return self.shown(raw, spec) if raw else None

        return value_of

    def items(self, record: Record, group: str) -> tuple[Answer | Table, ...]:
        return tuple(item for spec in self.children(group) for item in self.item(record, spec))

    def item(self, record: Record, spec: Field) -> tuple[Answer | Table, ...]:
        if spec.kind == "group":
            return self.items(record, spec.path)
        if spec.kind == "repeat":
            rows = record.repeats.get(spec.path, [])
            return (self.table(spec, rows),) if rows else ()
        answer = self.answer(record, spec) if spec.labels else None
        return (answer,) if answer is not None else ()

    def table(self, spec: Field, rows: list[Record]) -> Table:
        columns = [
            f
            for f in self.schema.fields
            if f.repeat == spec.path and f.kind not in ("group", "repeat") and f.labels
        ]
        return Table(
            spec.path,
            self.label(spec),
            tuple(self.label(f) for f in columns),
            tuple(tuple(self.answer(row, f) for f in columns) for row in rows),
        )

    def answer(self, record: Record, spec: Field) -> Answer | None:
        raw = record.values.get(spec.path, "")
        if not raw:
            return None
        return Answer(spec.path, self.label(spec, record), self.shown(raw, spec), raw, spec.kind)

    def shown(self, raw: str, spec: Field) -> str:
        if spec.kind == "geopoint":
            point = parse_geopoint(raw)
            return f"{point.latitude}, {point.longitude}" if point else raw
        options = self.choices.get(spec.choices_from or "", {})
        if not options:
            return raw
        if spec.control == "select":
            return "、".join(options.get(v, v) for v in raw.split())
        return options.get(raw, raw)


def flatten(tree: InstanceTree, schema: FormSchema) -> dict[str, str]:
    """Leaf path (repeat items numbered, `/data/members[2]/member_id`) → raw text."""
    out: dict[str, str] = {}
    _flatten(tree.root, schema.root, out)
    return out


def _flatten(record: Record, root: str, out: dict[str, str]) -> None:
    prefix = f"{root}/{record.location}" if record.location else root
    base = record.repeat or root
    for path, text in record.values.items():
        out[prefix + path[len(base) :]] = text
    for items in record.repeats.values():
        for item in items:
            _flatten(item, root, out)


def diff(
    old: dict[str, str], new: dict[str, str], schema: FormSchema, lang: str = "zh"
) -> list[Change]:
    """Fields whose value differs between two flattened versions, labelled."""
    labels = {f.path: schema.label_of(f, lang) or f.name for f in schema.fields}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key, ""), new.get(key, "")
        if before != after and not key.endswith("/instanceID") and "/meta" not in key:
            bare = "/".join(part.split("[")[0] for part in key.split("/"))
            where = "".join(f"[{p.split('[')[1]}" for p in key.split("/") if "[" in p)
            label = f"{labels.get(bare, bare)}{where}"
            changes.append(Change(label, before, after, bare.rsplit("/", 1)[-1]))
    return changes

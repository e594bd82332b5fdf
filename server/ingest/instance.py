"""Read an OpenRosa instance safely, once, into one tree. Pure: bytes and a FormSchema in,
frozen dataclasses out; no Flask, SQLAlchemy, clock or files.

Every reader of instances goes through here: intake (`prepare_submission`'s checks), the
worker's normalisation (`values.py`), the review page (`review/display.py`) and the exports
(`exports/tables.py`). `read_instance` checks the envelope; `read_tree` walks the instance
once against the form version's stored schema and returns an `InstanceTree`:

- a `Record` for the root and one per repeat item, each with its answers by schema path
  (groups flattened: `/data/household/head_id`) and its repeats as ordered lists of records;
- keys as in ODK Central's exports: the root's `KEY` is the instanceID, a repeat item's
  `KEY` is its parent's KEY, then the path from the parent (groups named) with `[n]`
  (`uuid:1/members[2]`, `uuid:1/bayou/bayou_gaps[1]`), and its `PARENT_KEY` the parent's KEY;
- what the form does not define (`unknown`) and a single field sent twice (`duplicates`: the
  first copy is the answer everywhere; intake still checks every copy's scope).

Untrusted XML is parsed by libxml2 (lxml) with entity expansion, DTD loading and network access
all off, and any DOCTYPE is refused; its size and element count are bounded before anything
else looks at it. (defusedxml, used before, does the same checks but drives ElementTree's pure-
Python parser: a tenth of the speed.) Elements are matched by local name: Collect may send
`orx:meta` (openrosa.md §6.1).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

from lxml import etree

from server.forms.xform import Field, FormSchema
from server.ingest.errors import MalformedSubmission, TooLarge, UnsafeXML


@dataclass(frozen=True, slots=True)
class Limits:
    max_xml_bytes: int = 5_000_000
    max_elements: int = 50_000
    max_repeat_items: int = 500  # per repeat, e.g. household members or visit photos


@dataclass(frozen=True, slots=True)
class InstanceHeader:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str | None
    instance_name: str | None


@dataclass(frozen=True, slots=True)
class Instance:
    """A parsed instance whose envelope (root id, version, meta) has been read."""

    header: InstanceHeader
    root: Element


@dataclass(frozen=True, slots=True)
class Record:
    """The root of an instance or one item of a repeat (one row of an ODK export table)."""

    key: str  # KEY: the instanceID, or `<parent KEY>/<path from the parent>[n]`
    parent_key: str | None  # PARENT_KEY (None for the root)
    repeat: str | None  # schema path of the repeat this is an item of (None: the root)
    position: int  # 1-based among the items of its repeat in its parent (0: the root)
    location: str  # path below the root with repeat positions: `members[2]` ("" for the root)
    values: dict[str, str]  # schema path of each field answered here → its text, stripped
    # schema path of each repeat directly inside this record → its items in order (every
    # such repeat is present: Collect omits a repeat with no items, and a non-relevant one)
    repeats: dict[str, list[Record]]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A second (or later) copy of a field in one record (the root or one repeat item): not
    the answer, which is the first copy."""

    location: str  # e.g. `area/village`, `members[2]/name`
    path: str  # the field's schema path
    text: str


@dataclass(frozen=True, slots=True)
class InstanceTree:
    header: InstanceHeader
    root: Record
    # schema path of each repeat → all its items anywhere in the instance, in document order
    items: dict[str, list[Record]]
    unknown: tuple[str, ...]  # locations of elements the form does not define (not `meta`'s)
    duplicates: tuple[Duplicate, ...]

    def records(self, repeat: str | None) -> list[Record]:
        """The root (`None`) or every item of a repeat, in document order."""
        return [self.root] if repeat is None else self.items.get(repeat, [])


DEFAULT_LIMITS = Limits()
# Versions already stored passed intake's limits (configurable upwards) when they arrived:
# reading them again is bounded by libxml2's own limits only, and refuses nothing.
STORED_LIMITS = Limits(max_xml_bytes=1 << 62, max_elements=1 << 62, max_repeat_items=1 << 62)
Element = etree._Element
# `meta` is the OpenRosa envelope (deprecatedID, audit, entity…): never an unknown field.
ENVELOPE, ENVELOPE_PREFIX = "meta", "meta/"
_parsers = threading.local()  # an lxml parser must not be used by two threads at once


def _parser() -> etree.XMLParser:
    """Nothing in an instance may reach outside it or grow by expansion: no external entities
    or DTDs, no network, entities left unexpanded (and any DOCTYPE refused), libxml2's default
    depth and text-size limits. Comments and processing instructions are dropped."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    return parser


def _count_elements(root: Element) -> int:
    """Counted by libxml2 (no Python object per element); like the parser, one per thread."""
    count = getattr(_parsers, "count", None)
    if count is None:
        count = _parsers.count = etree.XPath("count(//*)")
    return int(count(root))


def read_instance(xml: bytes, limits: Limits = DEFAULT_LIMITS) -> Instance:
    if len(xml) > limits.max_xml_bytes:
        raise TooLarge(
            f"表单数据超过 {limits.max_xml_bytes} 字节 / the instance XML is larger "
            f"than {limits.max_xml_bytes} bytes"
        )
    try:
        root = etree.fromstring(xml, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedSubmission(
            f"提交的 XML 格式错误 / the submission is not well-formed XML: {exc}"
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeXML()
    if _count_elements(root) > limits.max_elements:
        raise TooLarge(
            f"表单数据元素过多（超过 {limits.max_elements}）/ more than "
            f"{limits.max_elements} elements"
        )
    return Instance(_header(root), root)


def parse_instance(xml: bytes, schema: FormSchema, limits: Limits = DEFAULT_LIMITS) -> InstanceTree:
    """`read_instance` then `read_tree`: the one way to read an instance's answers."""
    return read_tree(read_instance(xml, limits), schema)


def read_tree(instance: Instance, schema: FormSchema) -> InstanceTree:
    """Walk the instance once against the form's schema (elements matched by local name)."""
    plan = _plan(schema)
    root = _record(plan, instance.header.instance_id, None, None, 0, "")
    walk = _Walk(plan, instance.header.instance_id)
    walk.read(instance.root, "", "", root)
    return InstanceTree(
        instance.header, root, walk.items, tuple(walk.unknown), tuple(walk.duplicates)
    )


def _header(root: Element) -> InstanceHeader:
    form_id = (root.get("id") or "").strip()
    meta = _child(root, "meta")
    instance_id = _text(_child(meta, "instanceID")) if meta is not None else None
    if not form_id:
        raise MalformedSubmission("提交缺少表单编号（根元素的 id）/ the root element has no id")
    if not instance_id:
        raise MalformedSubmission("提交缺少 meta/instanceID / meta/instanceID is missing")
    if len(instance_id) > 100:
        raise MalformedSubmission("instanceID 过长 / instanceID is too long")
    deprecated = _text(_child(meta, "deprecatedID")) if meta is not None else None
    name = _text(_child(meta, "instanceName")) if meta is not None else None
    return InstanceHeader(
        form_id=form_id,
        version=(root.get("version") or "").strip(),
        instance_id=instance_id,
        deprecated_id=deprecated or None,
        instance_name=(name or None) and name[:255],
    )


def check_repeats(tree: InstanceTree, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse absurd repeat sizes (a phone never sends thousands of household members)."""
    for repeat, items in tree.items.items():
        if len(items) > limits.max_repeat_items:
            path = _relative(repeat)
            raise TooLarge(
                f"重复组 {path} 条目过多（{len(items)}）/ too many items in the "
                f"repeat {path} ({len(items)} > {limits.max_repeat_items})"
            )


def values_at(tree: InstanceTree, field: Field) -> list[str]:
    """Every answer to a field (several inside repeats), in document order, then any copies
    of it sent twice: what a check of the whole instance must look at."""
    path = field.path
    found = [r.values[path] for r in tree.records(field.repeat) if path in r.values]
    found.extend(d.text for d in tree.duplicates if d.path == path)
    return found


def declared_files(tree: InstanceTree, schema: FormSchema) -> set[str]:
    """File names the instance names in its file questions (photos, signatures, audio…)."""
    names: set[str] = set()
    for field in schema.fields_of_kind("binary"):
        names.update(value for value in values_at(tree, field) if value)
    return names


def check_file_name(name: str) -> None:
    """Refuse path tricks and control characters in attachment names (they become file names)."""
    problem = None
    if not name or len(name.encode("utf-8")) > 255:
        problem = "为空或过长 / empty or too long"
    elif "/" in name or "\\" in name or name in {".", ".."} or name.startswith("."):
        problem = "含有路径 / contains a path"
    elif any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name):
        problem = "含有控制字符 / contains control characters"
    if problem:
        raise MalformedSubmission(f"附件文件名 {name!r} {problem}", filename=name)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A schema as the walk needs it: (schema path, kind, field) by path below the root, and
    repeats by parent. Kinds are LEAF, GROUP, REPEAT: ints compare faster than bind types."""

    fields: dict[str, tuple[str, int, Field]]  # (schema path, kind, field)
    repeats_in: dict[str | None, tuple[str, ...]]


LEAF, GROUP, REPEAT = 0, 1, 2


_plans: dict[int, tuple[FormSchema, _Plan]] = {}


def _plan(schema: FormSchema) -> _Plan:
    """Computed once per schema object (form versions' schemas are cached per process)."""
    cached = _plans.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    repeats_in: dict[str | None, list[str]] = {}
    for field in schema.fields_of_kind("repeat"):
        repeats_in.setdefault(field.repeat, []).append(field.path)
    kinds = {"group": GROUP, "repeat": REPEAT}
    plan = _Plan(
        {_relative(f.path): (f.path, kinds.get(f.kind, LEAF), f) for f in schema.fields},
        {parent: tuple(paths) for parent, paths in repeats_in.items()},
    )
    if len(_plans) >= 256:
        _plans.clear()
    _plans[id(schema)] = (schema, plan)
    return plan


def _record(
    plan: _Plan, key: str, parent: Record | None, repeat: str | None, position: int, where: str
) -> Record:
    return Record(
        key=key,
        parent_key=parent.key if parent else None,
        repeat=repeat,
        position=position,
        location=where,
        values={},
        repeats={path: [] for path in plan.repeats_in.get(repeat, ())},
    )


class _Walk:
    def __init__(self, plan: _Plan, instance_id: str) -> None:
        self.plan = plan
        self.instance_id = instance_id
        self.items: dict[str, list[Record]] = {
            path: [] for paths in plan.repeats_in.values() for path in paths
        }
        self.unknown: list[str] = []
        self.duplicates: list[Duplicate] = []

    def read(self, node: Element, prefix: str, where: str, record: Record) -> None:
        """File each child of `node` (schema path `prefix…`, location `where…`) in `record`.
        libxml2 bounds the depth, so the recursion is bounded too. (The hot path of intake:
        leaves are filed inline.)"""
        fields, values = self.plan.fields, record.values
        for child in node:
            tag = child.tag
            if tag.__class__ is not str:
                continue  # the parser drops comments and instructions; entities are refused
            name = tag.rpartition("}")[2]
            path = prefix + name
            found = fields.get(path)
            if found is None:
                if path != ENVELOPE and not path.startswith(ENVELOPE_PREFIX):
                    self.unknown.append(where + name)
                continue
            field_path, kind, field = found
            if kind == LEAF:
                if field_path in values or len(child):
                    self.odd_leaf(child, field, where + name, values)
                else:
                    text = child.text
                    values[field_path] = text.strip() if text else ""
            elif kind == GROUP:
                self.read(child, path + "/", where + name + "/", record)
            else:
                self.item(child, field, path, where + name, record)

    def item(self, element: Element, field: Field, path: str, where: str, parent: Record) -> None:
        siblings = parent.repeats[field.path]
        position = len(siblings) + 1
        where = f"{where}[{position}]"
        item = _record(
            self.plan, f"{self.instance_id}/{where}", parent, field.path, position, where
        )
        siblings.append(item)
        self.items[field.path].append(item)
        self.read(element, path + "/", where + "/", item)

    def odd_leaf(self, element: Element, field: Field, where: str, values: dict[str, str]) -> None:
        """A field sent twice (the first copy is the answer), or one with child elements."""
        text = (element.text or "").strip()
        if field.path in values:
            self.duplicates.append(Duplicate(where, field.path, text))
        else:
            values[field.path] = text
        self.unknown.extend(f"{where}/{_local(c.tag)}" for c in element)


def _relative(schema_path: str) -> str:
    """`/data/target/village` → `target/village`: instances are matched below their root."""
    return schema_path.split("/", 2)[2] if schema_path.count("/") >= 2 else ""


def _child(node: Element | None, name: str) -> Element | None:
    """The first child element named `name` in any namespace or none (libxml2 looks)."""
    return node.find("{*}" + name) if node is not None else None


def _text(node: Element | None) -> str | None:
    return (node.text or "").strip() if node is not None else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

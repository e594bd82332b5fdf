"""What a reviewer reads: a submission's answers under the form's own labels.

Pure: XForm/instance bytes and the stored FormSchema in, frozen dataclasses out; no Flask,
SQLAlchemy, clock or files. Groups become headed sections, repeats become tables, select
answers show their choice labels, file answers and geopoints are marked for the page to show
as thumbnails and distances. `flatten` + `diff` compare two versions field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from server.forms.xform import Field, FormSchema

XF = "{http://www.w3.org/2002/xforms}"
_HIDDEN = {"meta", "start", "end", "today", "deviceid", "username", "instanceID"}


@dataclass(frozen=True, slots=True)
class Answer:
    path: str
    label: str
    value: str  # what to show (a choice label, or the raw text)
    raw: str
    kind: str  # the bind type: string, binary, geopoint, date…


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


def pick_label(labels: dict[str, str], lang: str = "zh") -> str:
    """The label in `lang` ('zh' or 'en'), else the default one, else any."""
    for key, value in labels.items():
        if f"({lang})" in key or key == lang:
            return value
    return labels.get("") or next(iter(labels.values()), "")


def choice_labels(xform: bytes, lang: str = "zh") -> dict[str, dict[str, str]]:
    """Secondary-instance id → {choice name: label} from the XForm's inline choice lists."""
    doc = ElementTree.fromstring(xform)
    itext: dict[str, dict[str, str]] = {}
    for translation in doc.iter(f"{XF}translation"):
        for text in translation.iter(f"{XF}text"):
            value = next((v for v in text.iter(f"{XF}value") if not v.get("form")), None)
            if value is not None:
                lang_key = translation.get("lang", "")
                itext.setdefault(text.get("id", ""), {})[lang_key] = "".join(value.itertext())
    lists: dict[str, dict[str, str]] = {}
    for instance in doc.iter(f"{XF}instance"):
        if not instance.get("id") or instance.get("src"):
            continue
        items = lists.setdefault(instance.get("id", ""), {})
        for item in instance.iter(f"{XF}item"):
            name = item.findtext(f"{XF}name") or ""
            text_id = item.findtext(f"{XF}itextId")
            label = item.findtext(f"{XF}label")
            items[name] = (
                pick_label(itext.get(text_id or "", {}), lang) if text_id else label or name
            )
    return lists


def layout(
    xml: bytes, schema: FormSchema, choices: dict[str, dict[str, str]], lang: str = "zh"
) -> tuple[Section, ...]:
    """The answers of one instance, grouped by the form's top-level groups."""
    root = ElementTree.fromstring(xml)
    by_path = {f.path: f for f in schema.fields}
    sections: list[Section] = []
    for child in root:
        path = f"{schema.root}/{_local(child.tag)}"
        spec = by_path.get(path)
        if spec is None or _local(child.tag) in _HIDDEN:
            continue
        if spec.kind == "group":
            items = _items(child, path, by_path, choices, lang)
            if items:
                sections.append(Section(pick_label(spec.labels, lang) or spec.name, items))
            continue
        items = tuple(_items_of(child, path, spec, by_path, choices, lang, root))
        if sections and sections[-1].label == "":
            items = tuple(_merge_repeats([*sections[-1].items, *items]))
            sections[-1] = Section("", items)
        elif items:
            sections.append(Section("", items))
    return tuple(sections)


def _items(
    node: Element,
    path: str,
    by_path: dict[str, Field],
    choices: dict[str, dict[str, str]],
    lang: str,
) -> tuple[Answer | Table, ...]:
    out: list[Answer | Table] = []
    for child in node:
        child_path = f"{path}/{_local(child.tag)}"
        spec = by_path.get(child_path)
        if spec is not None:
            out.extend(_items_of(child, child_path, spec, by_path, choices, lang, node))
    return tuple(_merge_repeats(out))


def _items_of(
    element: Element,
    path: str,
    spec: Field,
    by_path: dict[str, Field],
    choices: dict[str, dict[str, str]],
    lang: str,
    parent: Element,
) -> list[Answer | Table]:
    if spec.kind == "repeat":
        columns = [f for f in by_path.values() if f.repeat == path and f.kind != "group"]
        columns = [f for f in columns if f.labels]
        row = tuple(_answer(element, f, path, choices, lang) for f in columns)
        table_label = pick_label(spec.labels, lang) or spec.name
        headers = tuple(pick_label(f.labels, lang) for f in columns)
        return [Table(path, table_label, headers, (row,))]
    if spec.kind == "group":
        return list(_items(element, path, by_path, choices, lang))
    answer = _answer(parent, spec, None, choices, lang, element)
    return [answer] if answer is not None and spec.labels else []


def _answer(
    container: Element,
    spec: Field,
    repeat_path: str | None,
    choices: dict[str, dict[str, str]],
    lang: str,
    element: Element | None = None,
) -> Answer | None:
    if element is None:
        relative = spec.path[len(repeat_path or "") + 1 :].split("/")
        element = container
        for part in relative:
            element = next((c for c in element if _local(c.tag) == part), None)
            if element is None:
                return None
    raw = (element.text or "").strip()
    if not raw:
        return None
    return Answer(
        spec.path, pick_label(spec.labels, lang), _shown(raw, spec, choices), raw, spec.kind
    )


def _shown(raw: str, spec: Field, choices: dict[str, dict[str, str]]) -> str:
    options = choices.get(spec.choices_from or "", {})
    if not options:
        return raw
    if spec.control == "select":
        return "、".join(options.get(v, v) for v in raw.split())
    return options.get(raw, raw)


def _merge_repeats(items: list[Answer | Table]) -> list[Answer | Table]:
    """Consecutive instances of one repeat become the rows of one table."""
    merged: list[Answer | Table] = []
    for item in items:
        last = merged[-1] if merged else None
        if isinstance(item, Table) and isinstance(last, Table) and last.path == item.path:
            merged[-1] = Table(last.path, last.label, last.columns, last.rows + item.rows)
        else:
            merged.append(item)
    return merged


def flatten(xml: bytes, schema: FormSchema) -> dict[str, str]:
    """Leaf path (repeat instances numbered, `/data/members[2]/member_id`) → raw text."""
    root = ElementTree.fromstring(xml)
    kinds = {f.path: f.kind for f in schema.fields}
    out: dict[str, str] = {}
    _flatten(root, schema.root, schema.root, kinds, out)
    return out


def _flatten(
    node: Element, path: str, key: str, kinds: dict[str, str], out: dict[str, str]
) -> None:
    seen: dict[str, int] = {}
    for child in node:
        name = _local(child.tag)
        child_path = f"{path}/{name}"
        kind = kinds.get(child_path)
        if kind == "repeat":
            seen[name] = seen.get(name, 0) + 1
            _flatten(child, child_path, f"{key}/{name}[{seen[name]}]", kinds, out)
        elif kind == "group":
            _flatten(child, child_path, f"{key}/{name}", kinds, out)
        elif kind is not None:
            out[f"{key}/{name}"] = (child.text or "").strip()


def diff(
    old: dict[str, str], new: dict[str, str], schema: FormSchema, lang: str = "zh"
) -> list[Change]:
    """Fields whose value differs between two flattened versions, labelled."""
    labels = {f.path: pick_label(f.labels, lang) or f.name for f in schema.fields}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key, ""), new.get(key, "")
        if before != after and not key.endswith("/instanceID") and "/meta" not in key:
            bare = "/".join(part.split("[")[0] for part in key.split("/"))
            where = "".join(f"[{p.split('[')[1]}" for p in key.split("/") if "[" in p)
            label = f"{labels.get(bare, bare)}{where}"
            changes.append(Change(label, before, after, bare.rsplit("/", 1)[-1]))
    return changes


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]

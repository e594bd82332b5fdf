"""Derive a form's field schema from its XForm. Pure: XForm bytes in, a frozen FormSchema out.

The schema describes exactly what Collect sees: every instance node with its bind type, the body
control that asks it (input, select1, select, upload…), the secondary instance its choices come
from (e.g. `households` for a select_one_from_file), the repeat it lives in, its labels per
language, the labels of every choice list the form carries (inline lists, and CSV files
published with it), and the media files the form references. It is stored with the form version
at publish time (`form_versions.schema_json`) and drives the intake of submissions, the review
pages and the exports: nothing reads the XForm again after publishing.

A label that shows another answer (`<output value="../x"/>`) is stored as `${x}`; `label_of`
fills it when the answer is known and otherwise drops it. The lists the server generates per
phone (towns, villages, households: `forms.service.DYNAMIC_MEDIA`) are not stored: their labels
are the areas' and the registry's own.

The XForm is parsed with defusedxml here, once per publish (the form comes from the county's
administrator; submissions, read for every phone, use lxml in `ingest/instance.py`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
_MEDIA_REF = re.compile(r"^jr://(?:images|audio|video|file|file-csv)/(.+)$")
_ITEXT_REF = re.compile(r"jr:itext\('([^']+)'\)")
_INSTANCE_REF = re.compile(r"instance\('([^']+)'\)")
_CSV_FILE = re.compile(r"^jr://file-csv/(.+)$")
_REFERENCE = re.compile(r"\$\{([^}]+)\}")
_UNFILLED = "\x00"
_JOINERS = "：:，,、；;。.\u3000 "  # what ties a dropped reference to the rest of a label
# The XForms spec sets no rule for form ids. Ours keeps them usable as a URL segment, a file
# name and a sheet name: letters (any script), digits, `_`, `-`, `.`, starting with a letter,
# digit or `_`, and at most 64 characters (forms.xml_form_id).
_FORM_ID = re.compile(r"\w[\w.-]{0,63}")


def is_form_id(value: str) -> bool:
    """Whether `value` can be a published form's id (checked at publish and on every lookup)."""
    return _FORM_ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # absolute instance path, e.g. /data/members/name
    name: str
    kind: str  # bind type (string, int, binary, geopoint, …), "group" or "repeat"
    repeat: str | None  # path of the innermost enclosing repeat
    labels: dict[str, str] = field(default_factory=dict)  # language → label
    control: str | None = None  # body control: input, select1, select, upload, … (None: no UI)
    choices_from: str | None = None  # secondary instance id of the choices (e.g. "households")


@dataclass(frozen=True, slots=True)
class FormSchema:
    form_id: str
    version: str
    title: str
    root: str
    fields: tuple[Field, ...]
    media: tuple[str, ...]  # file names referenced with jr://…
    # The choice lists the form carries, in the form's order: list name (the secondary
    # instance's id) → item name → {language: label}. Iterating a list gives its item names.
    choices: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As stored (JSON): a choice list is a list of [item name, labels] pairs, because a
        JSON object's keys lose their order in PostgreSQL's JSONB."""
        data = asdict(self)
        data["choices"] = {
            name: [[item, labels] for item, labels in items.items()]
            for name, items in self.choices.items()
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormSchema:
        fields = tuple(Field(**f) for f in data["fields"])
        choices = {name: _items(items) for name, items in data.get("choices", {}).items()}
        return cls(**{**data, "fields": fields, "media": tuple(data["media"]), "choices": choices})

    def fields_of_kind(self, kind: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == kind)

    def fields_choosing_from(self, instance_id: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.choices_from == instance_id)

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def label_of(
        self, field: Field, lang: str = "zh", value_of: Callable[[str], str | None] | None = None
    ) -> str:
        """The field's label in `lang`, references filled by `value_of(name)` (an answer of the
        same record), else by the referenced question's own label, else dropped."""
        label = pick_label(field.labels, lang)
        if "${" not in label:
            return label

        def fill(name: str) -> str | None:
            value = value_of(name) if value_of else None
            if value:
                return value
            referenced = self.field_named(name)
            own = pick_label(referenced.labels, lang) if referenced else ""
            return own if own and "${" not in own else None

        return fill_label(label, fill)

    def choice_labels(self, lang: str = "zh") -> dict[str, dict[str, str]]:
        """List name → {item name: its label in `lang`} (the name when it has no label)."""
        return {
            list_name: {name: pick_label(labels, lang) or name for name, labels in items.items()}
            for list_name, items in self.choices.items()
        }


def pick_label(labels: Mapping[str, str], lang: str = "zh") -> str:
    """The label in `lang` ('zh' or 'en'; pyxform's languages are named like "中文 (zh)"),
    else the one without a language, else any."""
    for key, value in labels.items():
        if f"({lang})" in key or key == lang:
            return value
    return labels.get("") or next(iter(labels.values()), "")


def fill_label(label: str, fill: Callable[[str], str | None]) -> str:
    """`${name}` references replaced by `fill(name)`; one that nothing fills is dropped with the
    punctuation that tied it to the text ("${item}：情况说明" → "情况说明")."""
    text = _REFERENCE.sub(lambda m: fill(m.group(1).strip()) or _UNFILLED, label)
    if _UNFILLED in text:
        text = re.sub(f"{_UNFILLED}[{_JOINERS}]*", "", text).strip(_JOINERS)
    return text.strip()


def _items(stored: list[Any]) -> dict[str, dict[str, str]]:
    """A stored list: [item name, labels] pairs; a bare item name (stored before labels were)
    has none."""
    items: dict[str, dict[str, str]] = {}
    for item in stored:
        if isinstance(item, str):
            items[item] = {}
        else:
            name, labels = item
            items[name] = dict(labels)
    return items


@dataclass(frozen=True, slots=True)
class _Control:
    tag: str
    labels: dict[str, str]
    choices_from: str | None


def parse_xform(xml: bytes, files: Mapping[str, bytes] | None = None) -> FormSchema:
    """The schema of an XForm; `files` are the static media published with it, whose CSV
    choice lists (select_one_from_file) have their labels stored too."""
    doc = ElementTree.fromstring(xml)
    head = doc.find(f"{H}head")
    model = head.find(f"{XF}model") if head is not None else None
    if model is None:
        raise ValueError("XForm has no h:head/model")
    instance = model.find(f"{XF}instance")
    root = next(iter(instance)) if instance is not None else None
    if root is None:
        raise ValueError("XForm has no primary instance")
    binds = {b.get("nodeset"): b.get("type", "string") for b in model.iter(f"{XF}bind")}
    repeats = {r.get("nodeset") for r in doc.iter(f"{XF}repeat")}
    itext = _itext(model)
    controls = _controls(doc, itext)
    root_path = "/" + _local(root.tag)
    fields: list[Field] = []
    _walk(root, root_path, None, binds, repeats, controls, fields)
    return FormSchema(
        form_id=root.get("id", ""),
        version=root.get("version", ""),
        title=(head.findtext(f"{H}title") or "").strip(),
        root=root_path,
        fields=tuple(fields),
        media=_media_files(doc),
        choices=_choice_lists(model, itext, files or {}),
    )


def _walk(
    node: Element,
    path: str,
    repeat: str | None,
    binds: dict[str | None, str],
    repeats: set[str | None],
    controls: dict[str, _Control],
    out: list[Field],
) -> None:
    for child in node:
        name = _local(child.tag)
        child_path = f"{path}/{name}"
        if child_path in {f.path for f in out}:
            continue  # repeat templates and their first instance share a path
        if child_path in repeats:
            kind = "repeat"
        elif len(child):
            kind = "group"
        else:
            kind = binds.get(child_path, "string")
        control = controls.get(child_path)
        out.append(
            Field(
                child_path,
                name,
                kind,
                repeat,
                control.labels if control else {},
                control.tag if control else None,
                control.choices_from if control else None,
            )
        )
        if len(child):
            inner_repeat = child_path if kind == "repeat" else repeat
            _walk(child, child_path, inner_repeat, binds, repeats, controls, out)


def _choice_lists(
    model: Element, itext: dict[str, dict[str, str]], files: Mapping[str, bytes]
) -> dict[str, dict[str, dict[str, str]]]:
    """Secondary instances → item name → labels: inline ones (pyxform writes every choice list
    as one), and CSV files among `files`. Other files (the server's generated lists, XML or
    GeoJSON lists) have no stored labels."""
    lists: dict[str, dict[str, dict[str, str]]] = {}
    for instance in list(model.findall(f"{XF}instance"))[1:]:
        list_id = instance.get("id")
        source = _CSV_FILE.match(instance.get("src") or "")
        if not list_id:
            continue
        if source and source.group(1) in files:
            lists[list_id] = _csv_choices(files[source.group(1)])
        elif not instance.get("src"):
            lists[list_id] = _inline_choices(instance, itext)
    return lists


def _inline_choices(
    instance: Element, itext: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    items: dict[str, dict[str, str]] = {}
    for item in instance.iter(f"{XF}item"):
        name = item.findtext(f"{XF}name")
        if not name:
            continue
        text_id = item.findtext(f"{XF}itextId")
        label = item.find(f"{XF}label")
        if text_id:
            items[name] = dict(itext.get(text_id, {}))
        else:
            plain = _text(label) if label is not None else ""
            items[name] = {"": plain} if plain else {}
    return items


def _csv_choices(content: bytes) -> dict[str, dict[str, str]]:
    """A select_one_from_file CSV: `name` and `label` or `label::<language>` columns."""
    try:
        rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        languages = {
            column: column.split("::", 1)[1].strip() if "::" in column else ""
            for column in rows.fieldnames or ()
            if column.split("::", 1)[0].strip() == "label"
        }
        return {
            row["name"]: {lang: row[c] for c, lang in languages.items() if row.get(c)}
            for row in rows
            if row.get("name")
        }
    except (UnicodeDecodeError, csv.Error):
        return {}  # Collect will not read it either; ODK Validate says so at publish


def _media_files(doc: Element) -> tuple[str, ...]:
    """Every file the form references as a whole `jr://…/name` value (text or attribute)."""
    values = [element.text or "" for element in doc.iter()]
    values += [value for element in doc.iter() for value in element.attrib.values()]
    names = {match.group(1) for v in values if (match := _MEDIA_REF.match(v.strip()))}
    return tuple(sorted(names))


def _itext(model: Element) -> dict[str, dict[str, str]]:
    """text id → {language: plain label}."""
    texts: dict[str, dict[str, str]] = {}
    for translation in model.iter(f"{XF}translation"):
        lang = translation.get("lang", "")
        for text in translation.iter(f"{XF}text"):
            value = next((v for v in text.iter(f"{XF}value") if not v.get("form")), None)
            if value is not None:
                texts.setdefault(text.get("id", ""), {})[lang] = _text(value)
    return texts


def _text(element: Element) -> str:
    """An element's text with each `<output value="…/name"/>` written `${name}`."""
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) == "output":
            step = (child.get("value") or "").strip().rsplit("/", 1)[-1]
            parts.append("${" + step + "}" if step else "")
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _controls(doc: Element, itext: dict[str, dict[str, str]]) -> dict[str, _Control]:
    """Instance path → the body control that asks it, with its labels and choice source."""
    controls: dict[str, _Control] = {}
    body = doc.find(f"{H}body")
    if body is None:
        return controls
    for element in body.iter():
        ref = element.get("ref") or element.get("nodeset")
        if not ref:
            continue
        itemset = element.find(f"{XF}itemset")
        source = _INSTANCE_REF.search(itemset.get("nodeset", "")) if itemset is not None else None
        labels = _label(element, itext)
        if ref in controls and not labels:
            # pyxform wraps a repeat in a group with the same ref: the group holds the label.
            labels = controls[ref].labels
        controls[ref] = _Control(
            tag=_local(element.tag),
            labels=labels,
            choices_from=source.group(1) if source else None,
        )
    return controls


def _label(element: Element, itext: dict[str, dict[str, str]]) -> dict[str, str]:
    label = element.find(f"{XF}label")
    if label is None:
        return {}
    match = _ITEXT_REF.search(label.get("ref", ""))
    if match:
        return itext.get(match.group(1), {})
    plain = _text(label)
    return {"": plain} if plain else {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]

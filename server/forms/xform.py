"""Derive a form's field schema from its XForm. Pure: XForm bytes in, a frozen FormSchema out.

The schema describes exactly what Collect sees: every instance node with its bind type, the body
control that asks it (input, select1, select, upload…), the secondary instance its choices come
from (e.g. `households` for a select_one_from_file), the repeat it lives in, its labels per
language, and the media files the form references. It is stored with the form version at
publish time and drives the intake of submissions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
_MEDIA_REF = re.compile(r"^jr://(?:images|audio|video|file|file-csv)/(.+)$")
_ITEXT_REF = re.compile(r"jr:itext\('([^']+)'\)")
_INSTANCE_REF = re.compile(r"instance\('([^']+)'\)")
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
    # Choice lists the form carries (secondary instances without src): list name → item names.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormSchema:
        fields = tuple(Field(**f) for f in data["fields"])
        choices = {name: tuple(items) for name, items in data.get("choices", {}).items()}
        return cls(**{**data, "fields": fields, "media": tuple(data["media"]), "choices": choices})

    def fields_of_kind(self, kind: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == kind)

    def fields_choosing_from(self, instance_id: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.choices_from == instance_id)


@dataclass(frozen=True, slots=True)
class _Control:
    tag: str
    labels: dict[str, str]
    choices_from: str | None


def parse_xform(xml: bytes) -> FormSchema:
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
    controls = _controls(doc, _itext(model))
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
        choices=_choice_lists(model),
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


def _choice_lists(model: Element) -> dict[str, tuple[str, ...]]:
    """Inline secondary instances (pyxform writes every choice list as one) → item names."""
    lists: dict[str, tuple[str, ...]] = {}
    for instance in list(model.findall(f"{XF}instance"))[1:]:
        list_id = instance.get("id")
        if not list_id or instance.get("src"):
            continue  # a CSV or other external file: its items are the server's own lists
        names = [item.findtext(f"{XF}name") for item in instance.iter(f"{XF}item")]
        lists[list_id] = tuple(name for name in names if name)
    return lists


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
                plain = "".join(value.itertext()).strip()
                texts.setdefault(text.get("id", ""), {})[lang] = plain
    return texts


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
    return {"": label.text.strip()} if (label.text or "").strip() else {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]

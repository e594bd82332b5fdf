"""Read an OpenRosa instance safely. Pure: bytes (and a FormSchema) in, frozen dataclasses out.

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

from server.forms.xform import FormSchema
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
    header: InstanceHeader
    root: Element
    # Every element by its path below the root, in document order: walked once, looked up often.
    by_path: dict[str, list[Element]]


DEFAULT_LIMITS = Limits()
Element = etree._Element
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
    if sum(1 for _ in root.iter()) > limits.max_elements:
        raise TooLarge(
            f"表单数据元素过多（超过 {limits.max_elements}）/ more than "
            f"{limits.max_elements} elements"
        )
    by_path: dict[str, list[Element]] = {}
    _index(root, "", by_path)
    return Instance(_header(root), root, by_path)


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


def check_repeats(instance: Instance, schema: FormSchema, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse absurd repeat sizes (a phone never sends thousands of household members)."""
    for field in schema.fields_of_kind("repeat"):
        path = _relative(field.path)
        count = len(instance.by_path.get(path, ()))
        if count > limits.max_repeat_items:
            raise TooLarge(
                f"重复组 {path} 条目过多（{count}）/ too many items in the "
                f"repeat {path} ({count} > {limits.max_repeat_items})"
            )


def values_at(instance: Instance, path: str) -> list[str]:
    """The text of every element at a schema path (several inside repeats), in document order."""
    return [(e.text or "").strip() for e in instance.by_path.get(_relative(path), ())]


def declared_files(instance: Instance, schema: FormSchema) -> set[str]:
    """File names the instance names in its file questions (photos, signatures, audio…)."""
    names: set[str] = set()
    for field in schema.fields_of_kind("binary"):
        names.update(value for value in values_at(instance, field.path) if value)
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


def _index(node: Element, prefix: str, by_path: dict[str, list[Element]]) -> None:
    """File every descendant under its path relative to the root, in document order (libxml2
    bounds the depth, so the recursion is bounded too)."""
    for child in node:
        path = prefix + _local(child.tag)
        found = by_path.get(path)
        if found is None:
            by_path[path] = [child]
        else:
            found.append(child)
        if len(child):
            _index(child, path + "/", by_path)


def _relative(schema_path: str) -> str:
    """`/data/target/village` → `target/village`: instances are matched below their root."""
    return schema_path.split("/", 2)[2] if schema_path.count("/") >= 2 else ""


def _child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None) -> str | None:
    return (node.text or "").strip() if node is not None else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

"""Store question and choice labels with the form versions already published

A form version's stored schema (`form_versions.schema_json`) now carries every choice list's
labels per language (`choices`: list -> [[item, {language: label}], ...] in the form's order,
was list -> [item, ...]),
and a question label that shows another answer keeps the reference as `${name}` (it was lost:
"：情况说明"). Publishing writes both; this fills them for the versions already stored, from
their stored XForm bytes and the CSV files published with them, so that no page or export has
to parse an XForm again.

The XForm reading below is a frozen copy of what `server/forms/xform.py` did when this
revision was written (a migration must not change with the application's code); the test of
this revision checks that both agree. Downgrade restores the previous shape: lists of item
names, and labels with their references dropped.

Revision ID: 8fd146395e0c
Revises: 353c1a113376
Create Date: 2026-12-04 09:00:00+00:00
"""

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from defusedxml import ElementTree

revision: str = "8fd146395e0c"
down_revision: str | None = "353c1a113376"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
_ITEXT_REF = re.compile(r"jr:itext\('([^']+)'\)")
_CSV_FILE = re.compile(r"^jr://file-csv/(.+)$")
_REFERENCE = re.compile(r"\$\{[^}]*\}")
# The lists the server generates per phone user: never labelled from a file.
_DYNAMIC = frozenset({"towns.csv", "villages.csv", "households.csv"})

versions = sa.table(
    "form_versions",
    sa.column("id", sa.Integer),
    sa.column("xform", sa.LargeBinary),
    sa.column("schema_json", sa.JSON),
)
attachments = sa.table(
    "form_attachments",
    sa.column("form_version_id", sa.Integer),
    sa.column("filename", sa.String),
    sa.column("content", sa.LargeBinary),
)


def upgrade() -> None:
    connection = op.get_bind()
    for version_id, xform, schema in _versions(connection):
        files = dict(
            connection.execute(
                sa.select(attachments.c.filename, attachments.c.content).where(
                    attachments.c.form_version_id == version_id
                )
            ).all()
        )
        labelled = _labelled(schema, xform, {n: c for n, c in files.items() if n not in _DYNAMIC})
        _store(connection, version_id, labelled)


def downgrade() -> None:
    connection = op.get_bind()
    for version_id, _xform, schema in _versions(connection):
        fields = [
            {**f, "labels": {k: _REFERENCE.sub("", v).strip() for k, v in f["labels"].items()}}
            for f in schema["fields"]
        ]
        choices = {
            name: [item if isinstance(item, str) else item[0] for item in items]
            for name, items in schema.get("choices", {}).items()
        }
        _store(connection, version_id, {**schema, "fields": fields, "choices": choices})


def _versions(connection: sa.Connection) -> list[tuple[int, bytes, dict[str, Any]]]:
    query = sa.select(versions.c.id, versions.c.xform, versions.c.schema_json)
    return [tuple(row) for row in connection.execute(query.order_by(versions.c.id))]


def _store(connection: sa.Connection, version_id: int, schema: dict[str, Any]) -> None:
    connection.execute(
        versions.update().where(versions.c.id == version_id).values(schema_json=schema)
    )


def _labelled(schema: dict[str, Any], xform: bytes, files: dict[str, bytes]) -> dict[str, Any]:
    doc = ElementTree.fromstring(xform)
    model = doc.find(f"{H}head").find(f"{XF}model")
    itext = _itext(model)
    labels = _control_labels(doc, itext)
    fields = [{**f, "labels": labels.get(f["path"], f["labels"])} for f in schema["fields"]]
    return {**schema, "fields": fields, "choices": _choice_lists(model, itext, files)}


def _itext(model: Any) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for translation in model.iter(f"{XF}translation"):
        lang = translation.get("lang", "")
        for text in translation.iter(f"{XF}text"):
            value = next((v for v in text.iter(f"{XF}value") if not v.get("form")), None)
            if value is not None:
                texts.setdefault(text.get("id", ""), {})[lang] = _text(value)
    return texts


def _text(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag.rsplit("}", 1)[-1] == "output":
            step = (child.get("value") or "").strip().rsplit("/", 1)[-1]
            parts.append("${" + step + "}" if step else "")
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _control_labels(doc: Any, itext: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Instance path -> the labels of the body control that asks it."""
    found: dict[str, dict[str, str]] = {}
    body = doc.find(f"{H}body")
    for element in body.iter() if body is not None else ():
        ref = element.get("ref") or element.get("nodeset")
        if not ref:
            continue
        label = element.find(f"{XF}label")
        labels: dict[str, str] = {}
        if label is not None:
            match = _ITEXT_REF.search(label.get("ref", ""))
            plain = _text(label)
            labels = itext.get(match.group(1), {}) if match else ({"": plain} if plain else {})
        if ref in found and not labels:
            labels = found[ref]  # a repeat inside the group pyxform wraps it in
        found[ref] = labels
    return found


def _choice_lists(
    model: Any, itext: dict[str, dict[str, str]], files: dict[str, bytes]
) -> dict[str, list[list[Any]]]:
    """List id -> [item name, labels] pairs, in the form's order."""
    lists: dict[str, list[list[Any]]] = {}
    for instance in list(model.findall(f"{XF}instance"))[1:]:
        list_id = instance.get("id")
        source = _CSV_FILE.match(instance.get("src") or "")
        if not list_id:
            continue
        if source and source.group(1) in files:
            lists[list_id] = [[n, labels] for n, labels in _csv_choices(files[source.group(1)])]
        elif not instance.get("src"):
            items: dict[str, dict[str, str]] = {}
            for item in instance.iter(f"{XF}item"):
                name = item.findtext(f"{XF}name")
                if not name:
                    continue
                text_id = item.findtext(f"{XF}itextId")
                label = item.find(f"{XF}label")
                plain = _text(label) if label is not None else ""
                if text_id:
                    items[name] = dict(itext.get(text_id, {}))
                else:
                    items[name] = {"": plain} if plain else {}
            lists[list_id] = [[name, labels] for name, labels in items.items()]
    return lists


def _csv_choices(content: bytes) -> list[tuple[str, dict[str, str]]]:
    try:
        rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        languages = {
            column: column.split("::", 1)[1].strip() if "::" in column else ""
            for column in rows.fieldnames or ()
            if column.split("::", 1)[0].strip() == "label"
        }
        items = {
            row["name"]: {lang: row[c] for c, lang in languages.items() if row.get(c)}
            for row in rows
            if row.get("name")
        }
    except (UnicodeDecodeError, csv.Error):
        return []
    return list(items.items())

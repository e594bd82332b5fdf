"""A submission under its form's labels: sections, repeat tables, choice labels, diffs."""

from __future__ import annotations

import textwrap

from server.forms.compile import compile_xlsform
from server.forms.xform import parse_xform
from server.review.display import Answer, Table, choice_labels, diff, flatten, layout

FORM = """
| survey   |              |          |                    |                   |
|          | type         | name     | label::中文 (zh)    | label::English (en) |
|          | begin group  | home     | 住房               | Housing           |
|          | select_one grade | grade | 住房安全等级        | Housing grade     |
|          | geopoint     | location | 住房位置            | Location          |
|          | end group    | home     |                    |                   |
|          | begin repeat | members  | 家庭成员            | Members           |
|          | text         | name     | 姓名               | Name              |
|          | text         | id       | 身份证号            | ID number         |
|          | end repeat   | members  |                    |                   |
|          | image        | photo    | 照片               | Photo             |
| choices  |              |          |                    |                   |
|          | list_name    | name     | label::中文 (zh)    | label::English (en) |
|          | grade        | A        | A级（安全）         | A (safe)          |
|          | grade        | C        | C级（局部危险）      | C (partly unsafe) |
| settings |              |          |                    |                   |
|          | form_id      | version  |                    |                   |
|          | house        | 1        |                    |                   |
"""


def _instance(grade: str, second_name: str) -> bytes:
    return (
        '<data id="house" version="1"><home><grade>' + grade + "</grade>"
        "<location>24.0512 114.2033 0 5</location></home>"
        "<members><name>张三</name><id>440233197503120015</id></members>"
        f"<members><name>{second_name}</name><id /></members>"
        "<photo>a.jpg</photo><meta><instanceID>uuid:1</instanceID></meta></data>"
    ).encode()


def _form():  # type: ignore[no-untyped-def]
    compiled = compile_xlsform(textwrap.dedent(FORM).encode(), file_name="house.md")
    return compiled.xform, parse_xform(compiled.xform)


def test_groups_become_sections_and_repeats_one_table_with_choice_labels():
    xform, schema = _form()
    sections = layout(_instance("C", "李梅"), schema, choice_labels(xform))
    assert sections[0].label == "住房"
    grade, location = sections[0].items
    assert isinstance(grade, Answer) and (grade.label, grade.value) == (
        "住房安全等级",
        "C级（局部危险）",
    )
    assert location.kind == "geopoint"
    (table, photo) = sections[1].items
    assert isinstance(table, Table)
    assert table.columns == ("姓名", "身份证号")
    assert [[a.value if a else None for a in row] for row in table.rows] == [
        ["张三", "440233197503120015"],
        ["李梅", None],
    ]
    assert (photo.label, photo.kind, photo.raw) == ("照片", "binary", "a.jpg")


def test_labels_switch_to_english():
    xform, schema = _form()
    sections = layout(_instance("A", "李梅"), schema, choice_labels(xform, "en"), "en")
    assert sections[0].label == "Housing"
    assert sections[0].items[0].value == "A (safe)"


def test_diff_names_the_changed_fields_with_their_labels():
    _xform, schema = _form()
    before = flatten(_instance("C", "李梅"), schema)
    after = flatten(_instance("A", "李梅梅"), schema)
    changes = [(c.label, c.old, c.new, c.field) for c in diff(before, after, schema)]
    assert changes == [("住房安全等级", "C", "A", "grade"), ("姓名[2]", "李梅", "李梅梅", "name")]


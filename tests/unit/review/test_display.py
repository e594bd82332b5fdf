"""A submission under its form's labels: sections, repeat tables, choice labels, diffs."""

from __future__ import annotations

import textwrap

from server.forms.compile import compile_xlsform
from server.forms.xform import FormSchema
from server.ingest.instance import InstanceTree, parse_instance
from server.review.display import Answer, Table, diff, flatten, layout

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
|          | begin repeat | gaps     | 缺项               | Gaps              |
|          | select_one grade | item | 等级               | Grade             |
|          | text         | detail   | ${item}：情况说明    | ${item}: details  |
|          | end repeat   | gaps     |                    |                   |
| choices  |              |          |                    |                   |
|          | list_name    | name     | label::中文 (zh)    | label::English (en) |
|          | grade        | A        | A级（安全）         | A (safe)          |
|          | grade        | C        | C级（局部危险）      | C (partly unsafe) |
| settings |              |          |                    |                   |
|          | form_id      | version  |                    |                   |
|          | house        | 1        |                    |                   |
"""


SCHEMA: FormSchema = compile_xlsform(textwrap.dedent(FORM).encode(), file_name="house.md").schema


def _instance(grade: str, second_name: str, gaps: str = "") -> InstanceTree:
    xml = (
        '<data id="house" version="1"><home><grade>' + grade + "</grade>"
        "<location>24.0512 114.2033 0 5</location></home>"
        "<members><name>张三</name><id>440233197503120015</id></members>"
        f"<members><name>{second_name}</name><id /></members>"
        f"<photo>a.jpg</photo>{gaps}<meta><instanceID>uuid:1</instanceID></meta></data>"
    ).encode()
    return parse_instance(xml, SCHEMA)


def test_groups_become_sections_and_repeats_one_table_with_choice_labels():
    sections = layout(_instance("C", "李梅"), SCHEMA, SCHEMA.choice_labels())
    assert sections[0].label == "住房"
    grade, location = sections[0].items
    assert isinstance(grade, Answer) and (grade.label, grade.value) == (
        "住房安全等级",
        "C级（局部危险）",
    )
    assert (location.kind, location.value) == ("geopoint", "24.0512, 114.2033")
    (table, photo) = sections[1].items
    assert isinstance(table, Table)
    assert table.columns == ("姓名", "身份证号")
    assert [[a.value if a else None for a in row] for row in table.rows] == [
        ["张三", "440233197503120015"],
        ["李梅", None],
    ]
    assert (photo.label, photo.kind, photo.raw) == ("照片", "binary", "a.jpg")


def test_labels_switch_to_english():
    sections = layout(_instance("A", "李梅"), SCHEMA, SCHEMA.choice_labels("en"), "en")
    assert sections[0].label == "Housing"
    assert sections[0].items[0].value == "A (safe)"


def test_diff_names_the_changed_fields_with_their_labels():
    before = flatten(_instance("C", "李梅"), SCHEMA)
    after = flatten(_instance("A", "李梅梅"), SCHEMA)
    assert after["/data/members[2]/name"] == "李梅梅"
    changes = [(c.label, c.old, c.new, c.field) for c in diff(before, after, SCHEMA)]
    assert changes == [("住房安全等级", "C", "A", "grade"), ("姓名[2]", "李梅", "李梅梅", "name")]


def test_a_label_showing_an_answer_is_filled_per_row_and_the_header_drops_it():
    gaps = "<gaps><item>A</item><detail>漏雨</detail></gaps><gaps><item>C</item><detail/></gaps>"
    sections = layout(_instance("C", "李梅", gaps), SCHEMA, SCHEMA.choice_labels())
    table = next(i for s in sections for i in s.items if isinstance(i, Table) and i.label == "缺项")
    # the header names the question the label shows (it was "：情况说明")
    assert table.columns == ("等级", "等级：情况说明")
    (item, detail), (item2, empty) = table.rows
    assert (item.value, detail.value) == ("A级（安全）", "漏雨")
    assert detail.label == "A级（安全）：情况说明"  # each row shows its own answer
    assert (item2.value, empty) == ("C级（局部危险）", None)


def test_answers_follow_the_forms_order_whatever_the_documents():
    xml = (
        b'<data id="house" version="1"><photo>a.jpg</photo>'
        b"<home><location>24.05 114.2</location><grade>A</grade></home>"
        b"<meta><instanceID>uuid:1</instanceID></meta></data>"
    )
    sections = layout(parse_instance(xml, SCHEMA), SCHEMA, SCHEMA.choice_labels())
    assert [[i.label for i in s.items] for s in sections] == [
        ["住房安全等级", "住房位置"],
        ["照片"],
    ]

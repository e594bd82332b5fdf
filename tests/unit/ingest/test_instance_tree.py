"""The one tree of an instance (server/ingest/instance.py), against a markdown XLSForm."""

from __future__ import annotations

import textwrap

import pytest

from server.forms.compile import compile_xlsform
from server.forms.xform import FormSchema
from server.ingest.errors import TooLarge
from server.ingest.instance import Limits, check_repeats, parse_instance, values_at
from server.ingest.values import extract_values

FORM = """
| survey   |                      |          |                 |
|          | type                 | name     | label           |
|          | begin group          | place    | 地点 Place       |
|          | text                 | village  | 村 Village       |
|          | end group            | place    |                 |
|          | begin repeat         | members  | 成员 Members     |
|          | text                 | name     | 姓名 Name        |
|          | begin group          | health   | 健康 Health      |
|          | select_multiple ill  | ills     | 疾病 Illnesses   |
|          | end group            | health   |                 |
|          | begin repeat         | jobs     | 工作 Jobs        |
|          | integer              | months   | 月数 Months      |
|          | end repeat           | jobs     |                 |
|          | end repeat           | members  |                 |
|          | begin group          | bayou    | 八有 Eight       |
|          | begin repeat         | gaps     | 缺项 Gaps        |
|          | text                 | detail   | 说明 Detail      |
|          | end repeat           | gaps     |                 |
|          | end group            | bayou    |                 |
| choices  |                      |          |                 |
|          | list_name            | name     | label           |
|          | ill                  | chronic  | 慢性病 Chronic   |
|          | ill                  | disabled | 残疾 Disability  |
| settings |                      |          |                 |
|          | form_id              | version  |                 |
|          | tree                 | 1        |                 |
"""


@pytest.fixture(scope="module")
def schema() -> FormSchema:
    return compile_xlsform(textwrap.dedent(FORM).encode(), file_name="tree.md").schema


def xml(body: str, meta: str = "<meta><instanceID>uuid:1</instanceID></meta>") -> bytes:
    return f'<data id="tree" version="1">{body}{meta}</data>'.encode()


MEMBERS = (
    "<members><name>张三</name><health><ills>chronic disabled</ills></health>"
    "<jobs><months>8</months></jobs><jobs><months>2</months></jobs></members>"
    "<members><name>李梅</name><health><ills/></health></members>"
)


def test_groups_are_flattened_into_their_record_by_schema_path(schema):
    tree = parse_instance(xml(f"<place><village>梁坝村</village></place>{MEMBERS}"), schema)
    assert tree.root.values["/data/place/village"] == "梁坝村"
    assert tree.root.values["/data/meta/instanceID"] == "uuid:1"
    first = tree.root.repeats["/data/members"][0]
    assert first.values == {
        "/data/members/name": "张三",
        "/data/members/health/ills": "chronic disabled",
    }


def test_repeats_are_ordered_records_keyed_as_in_odk_exports(schema):
    tree = parse_instance(
        xml(MEMBERS + "<bayou><gaps><detail>无电视</detail></gaps></bayou>"), schema
    )
    zhang, li = tree.root.repeats["/data/members"]
    assert (tree.root.key, tree.root.parent_key) == ("uuid:1", None)
    assert (zhang.key, zhang.parent_key, zhang.position) == ("uuid:1/members[1]", "uuid:1", 1)
    assert (li.key, li.location) == ("uuid:1/members[2]", "members[2]")
    jobs = zhang.repeats["/data/members/jobs"]
    assert [(j.key, j.parent_key) for j in jobs] == [
        ("uuid:1/members[1]/jobs[1]", "uuid:1/members[1]"),
        ("uuid:1/members[1]/jobs[2]", "uuid:1/members[1]"),
    ]
    assert [j.values["/data/members/jobs/months"] for j in jobs] == ["8", "2"]
    (gap,) = tree.root.repeats["/data/bayou/gaps"]
    assert gap.key == "uuid:1/bayou/gaps[1]"  # Central names the groups on the way
    assert [r.key for r in tree.records("/data/members/jobs")] == [j.key for j in jobs]


def test_a_repeat_nobody_filled_in_is_an_empty_list(schema):
    tree = parse_instance(xml("<place><village/></place>"), schema)
    assert tree.root.values["/data/place/village"] == ""
    assert tree.root.repeats == {"/data/members": [], "/data/bayou/gaps": []}
    assert tree.records("/data/members/jobs") == []
    assert extract_values(tree, schema).values["members"] == []


def test_select_multiple_is_the_text_as_sent_and_typed_by_stage_one(schema):
    tree = parse_instance(xml(MEMBERS), schema)
    assert values_at(tree, _field(schema, "ills")) == ["chronic disabled", ""]
    members = extract_values(tree, schema).values["members"]
    assert [m["ills"] for m in members] == [("chronic", "disabled"), ()]
    assert [[j["months"] for j in m["jobs"]] for m in members] == [[8, 2], []]


def test_unknown_elements_are_listed_with_their_location_and_not_read(schema):
    body = (
        "<place><village>梁坝村</village><hamlet>三组</hamlet></place>"
        "<members><name>张三<b>x</b></name><pet>猫</pet></members><extra><v>1</v></extra>"
    )
    tree = parse_instance(xml(body), schema)
    assert tree.unknown == ("place/hamlet", "members[1]/name/b", "members[1]/pet", "extra")
    assert tree.root.repeats["/data/members"][0].values == {"/data/members/name": "张三"}
    (issue,) = extract_values(tree, schema).issues
    assert issue.code == "unknown_fields" and "members[1]/pet" in issue.message


def test_orx_meta_is_the_envelope_and_its_extras_are_not_unknown(schema):
    meta = (
        '<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>uuid:9</orx:instanceID>'
        "<orx:deprecatedID>uuid:8</orx:deprecatedID><orx:audit>a.csv</orx:audit></orx:meta>"
    )
    tree = parse_instance(xml("", meta), schema)
    assert (tree.header.instance_id, tree.header.deprecated_id) == ("uuid:9", "uuid:8")
    assert tree.root.key == "uuid:9"
    assert tree.unknown == ()


def test_a_field_sent_twice_answers_with_its_first_copy_and_is_reported(schema):
    body = "<place><village>440233100201</village><village>440233999999</village></place>"
    tree = parse_instance(xml(body), schema)
    assert tree.root.values["/data/place/village"] == "440233100201"
    village = _field(schema, "village")
    assert values_at(tree, village) == ["440233100201", "440233999999"]  # both are scope-checked
    (issue,) = extract_values(tree, schema).issues
    assert issue.code == "duplicate_fields" and "place/village" in issue.message


def test_repeat_items_are_counted_across_the_instance(schema):
    more = MEMBERS.replace("<ills/></health>", "<ills/></health><jobs><months>1</months></jobs>")
    tree = parse_instance(xml(more), schema)  # 2 members with 3 jobs between them
    check_repeats(tree, Limits(max_repeat_items=3))
    with pytest.raises(TooLarge, match="members/jobs"):
        check_repeats(tree, Limits(max_repeat_items=2))


def _field(schema: FormSchema, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in schema.fields if f.name == name)

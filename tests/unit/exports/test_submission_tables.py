"""A submission's export tables in ODK Central's layout, flattened from the one instance tree."""

from __future__ import annotations

import textwrap

from server.exports.tables import flatten_submission, submission_tables
from server.forms.compile import compile_xlsform
from server.ingest.instance import parse_instance

FORM = """
| survey   |                |          |                      |                     |
|          | type           | name     | label::中文 (zh)      | label::English (en) |
|          | begin group    | place    | 地点                  | Place               |
|          | text           | village  | 村                    | Village             |
|          | end group      | place    |                      |                     |
|          | begin repeat   | members  | 成员                  | Members             |
|          | text           | name     | ${village}的成员姓名    | Name                |
|          | begin repeat   | jobs     | 工作                  | Jobs                |
|          | integer        | months   | 月数                  | Months              |
|          | end repeat     | jobs     |                      |                     |
|          | end repeat     | members  |                      |                     |
|          | begin group    | bayou    | 八有                  | Eight               |
|          | begin repeat   | gaps     | 缺项                  | Gaps                |
|          | text           | detail   | 说明                  | Detail              |
|          | end repeat     | gaps     |                      |                     |
|          | end group      | bayou    |                      |                     |
| settings |                |          |                      |                     |
|          | form_id        | version  |                      |                     |
|          | sheet          | 1        |                      |                     |
"""

INSTANCE = (
    '<data id="sheet" version="1"><place><village>梁坝村</village></place>'
    "<members><name>张三</name><jobs><months>8</months></jobs><jobs><months>2</months></jobs>"
    "</members><members><name>李梅</name></members>"
    "<bayou><gaps><detail>无电视</detail></gaps></bayou>"
    "<meta><instanceID>uuid:1</instanceID></meta></data>"
).encode()


def _schema():  # type: ignore[no-untyped-def]
    return compile_xlsform(textwrap.dedent(FORM).encode(), file_name="sheet.md").schema


def test_one_table_per_repeat_with_central_column_names_and_keys_last():
    tables = {t.name: t.headers for t in submission_tables(_schema())}
    assert list(tables) == ["sheet", "sheet-members", "sheet-jobs", "sheet-gaps"]
    assert tables["sheet"] == [
        "KEY",
        "提交时间 SubmissionDate",
        "提交人 SubmitterID",
        "村 place-village",
        "meta-instanceID",
    ]
    # the label shows an answer: the header names the question it comes from
    assert tables["sheet-members"] == ["村的成员姓名 name", "PARENT_KEY", "KEY"]
    assert tables["sheet-jobs"] == ["月数 months", "PARENT_KEY", "KEY"]
    assert tables["sheet-gaps"] == ["说明 detail", "PARENT_KEY", "KEY"]


def test_rows_are_linked_by_key_and_parent_key_as_central_keys_them():
    schema = _schema()
    tree = parse_instance(INSTANCE, schema)
    rows = list(flatten_submission(schema, tree, {"KEY": "uuid:1", "SubmitterID": "eli"}))
    by_table: dict[str, list[dict]] = {}
    for table, row in rows:
        by_table.setdefault(table, []).append(row)
    (main,) = by_table["sheet"]
    assert (main["KEY"], main["/data/place/village"]) == ("uuid:1", "梁坝村")
    assert [
        (r["/data/members/name"], r["PARENT_KEY"], r["KEY"]) for r in by_table["sheet-members"]
    ] == [
        ("张三", "uuid:1", "uuid:1/members[1]"),
        ("李梅", "uuid:1", "uuid:1/members[2]"),
    ]
    assert [
        (r["/data/members/jobs/months"], r["PARENT_KEY"], r["KEY"]) for r in by_table["sheet-jobs"]
    ] == [
        ("8", "uuid:1/members[1]", "uuid:1/members[1]/jobs[1]"),
        ("2", "uuid:1/members[1]", "uuid:1/members[1]/jobs[2]"),
    ]
    (gap,) = by_table["sheet-gaps"]
    assert (gap["PARENT_KEY"], gap["KEY"]) == ("uuid:1", "uuid:1/bayou/gaps[1]")

import io
import textwrap

import pytest
from openpyxl import Workbook

from server.forms.compile import compile_xlsform
from server.forms.errors import InvalidXLSForm
from server.forms.xform import FormSchema
from tests.fixtures import image_form, markdown_form

REPEAT_FORM = b"""
| survey   |              |         |                    |
|          | type         | name    | label::zh (zh)     | label::English (en) |
|          | begin repeat | member  | \xe6\x88\x90\xe5\x91\x98 | Member |
|          | text         | name    | \xe5\xa7\x93\xe5\x90\x8d | Name |
|          | integer      | age     | \xe5\xb9\xb4\xe9\xbe\x84 | Age |
|          | end repeat   |         |                    |           |
|          | image        | photo   | \xe7\x85\xa7\xe7\x89\x87 | Photo |
| settings |              |         |                    |           |
|          | form_id      | version | form_title         |           |
|          | rep          | 7       | Repeat             |           |
"""


def test_compiled_form_carries_id_version_title_and_md5_of_its_bytes():
    compiled = compile_xlsform(markdown_form(version="3"), file_name="visit.md")
    assert (compiled.form_id, compiled.version) == ("visit_test", "3")
    assert compiled.schema.title == "走访测试 Visit test"
    assert compiled.xform.startswith(b"<?xml")
    import hashlib

    assert compiled.md5 == hashlib.md5(compiled.xform).hexdigest()


def test_schema_lists_fields_with_kinds_repeats_and_labels_per_language():
    schema = compile_xlsform(REPEAT_FORM, file_name="rep.md").schema
    fields = {f.path: f for f in schema.fields}
    assert schema.root == "/data"
    assert fields["/data/member"].kind == "repeat"
    assert fields["/data/member/age"].kind == "int"
    assert fields["/data/member/age"].repeat == "/data/member"
    assert fields["/data/photo"].kind == "binary"
    assert fields["/data/member/name"].labels == {"zh (zh)": "姓名", "English (en)": "Name"}
    assert "/data/meta/instanceID" in fields


def test_schema_survives_a_round_trip_through_json():
    schema = compile_xlsform(REPEAT_FORM, file_name="rep.md").schema
    assert FormSchema.from_dict(schema.to_dict()) == schema


def test_media_references_are_found_with_spaces_and_csv_instances():
    assert compile_xlsform(image_form(), file_name="i.md").schema.media == ("logo 1.png",)
    media = compile_xlsform(markdown_form(), file_name="v.md").schema.media
    assert media == ("households.csv", "villages.csv")


def test_a_broken_xlsform_names_the_file_sheet_row_and_problem():
    broken = markdown_form().replace(b"| visited_on |", b"| visited on |")
    with pytest.raises(InvalidXLSForm) as err:
        compile_xlsform(broken, file_name="visit.md")
    assert err.value.message.startswith("visit.md: [row : 5] On the 'survey' sheet")
    assert "'name' value is invalid" in err.value.message


def test_an_error_pyxform_does_not_locate_is_located_in_the_workbook():
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "name", "姓名"])
    survey.append(["dat", "visited_on", "日期"])
    workbook.create_sheet("settings").append(["form_id", "version"])
    workbook["settings"].append(["t", "1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidXLSForm) as err:
        compile_xlsform(buffer.getvalue(), file_name="visit.xlsx")
    assert "Unknown question type 'dat'" in err.value.message
    assert "sheet 'survey', row 3" in err.value.message


def test_a_form_without_version_is_refused():
    source = markdown_form().replace(b"| 1 |", b"|   |")
    with pytest.raises(InvalidXLSForm, match="version"):
        compile_xlsform(source, file_name="visit.md")


@pytest.mark.parametrize("form_id", ['x"; filename="evil', "a b", "-x", "x" * 65, "a/b"])
def test_a_form_id_outside_the_url_and_file_name_charset_is_refused(form_id):
    with pytest.raises(InvalidXLSForm, match="form_id"):
        compile_xlsform(markdown_form(form_id=form_id), file_name="v.md")


@pytest.mark.parametrize("form_id", ["visit_test", "2026.visit-v2", "走访_2026", "x" * 64])
def test_form_ids_of_letters_digits_and_dot_dash_underscore_are_accepted(form_id):
    assert compile_xlsform(markdown_form(form_id=form_id), file_name="v.md").form_id == form_id


def test_unsupported_file_types_are_refused():
    with pytest.raises(InvalidXLSForm, match=r"\.pdf"):
        compile_xlsform(b"%PDF", file_name="form.pdf")


def test_a_corrupt_workbook_is_an_error_not_a_crash():
    with pytest.raises(InvalidXLSForm, match=r"form\.xlsx"):
        compile_xlsform(b"PK\x03\x04 not really a zip", file_name="form.xlsx")


def test_schema_knows_each_control_and_where_its_choices_come_from():
    schema = compile_xlsform(markdown_form(), file_name="v.md").schema
    fields = {f.name: f for f in schema.fields}
    assert (fields["village"].control, fields["village"].choices_from) == ("select1", "villages")
    assert fields["household"].choices_from == "households"
    assert fields["visited_on"].control == "input"
    assert fields["instanceID"].control is None
    assert schema.fields_choosing_from("households") == (fields["household"],)


def test_schema_carries_the_forms_choice_lists_but_not_external_files():
    extra = """|          | select_one yn | ok | OK |  |
| choices  |           |      |       |  |
|          | list_name | name | label |  |
|          | yn        | yes  | 是    |  |
|          | yn        | no   | 否    |  |
| settings |"""
    source = markdown_form().replace(b"| settings |", extra.encode())
    schema = compile_xlsform(source, file_name="v.md").schema
    assert schema.choices == {"yn": {"yes": {"": "是"}, "no": {"": "否"}}}
    assert list(schema.choices["yn"]) == ["yes", "no"]  # a list iterates as its names, in order
    assert FormSchema.from_dict(schema.to_dict()) == schema


LABELLED = """
| survey |  |  |  |  |  |
|  | type | name | label::中文 (zh) | label::English (en) | calculation |
|  | select_one grade | grade | 住房等级 | Housing grade |  |
|  | select_one_from_file crops.csv | crop | 作物 | Crop |  |
|  | calculate | item |  |  | 'tv' |
|  | text | detail | ${item}：情况说明 | ${item}: details |  |
|  | text | note | ${grade}级的说明 | About ${grade} |  |
| choices |  |  |  |  |  |
|  | list_name | name | label::中文 (zh) | label::English (en) |  |
|  | grade | A | A级（安全） | A (safe) |  |
|  | grade | C | C级（局部危险） | C (partly unsafe) |  |
| settings |  |  |  |  |  |
|  | form_id | version |  |  |  |
|  | labelled | 1 |  |  |  |
"""
CROPS = "name,label::中文 (zh),label::English (en)\nrice,水稻,Rice\ntea,茶叶,Tea\n".encode()


def _labelled(**files: bytes) -> FormSchema:
    source = textwrap.dedent(LABELLED).encode()
    return compile_xlsform(source, file_name="labelled.md", files=files).schema


def test_choice_labels_are_stored_per_language_at_publish():
    schema = _labelled(**{"crops.csv": CROPS})
    assert schema.choices["grade"] == {
        "A": {"中文 (zh)": "A级（安全）", "English (en)": "A (safe)"},
        "C": {"中文 (zh)": "C级（局部危险）", "English (en)": "C (partly unsafe)"},
    }
    assert schema.choice_labels("en")["grade"] == {"A": "A (safe)", "C": "C (partly unsafe)"}
    # a CSV list published with the form is labelled too, in every language it has
    assert schema.choice_labels("zh")["crops"] == {"rice": "水稻", "tea": "茶叶"}
    assert FormSchema.from_dict(schema.to_dict()) == schema


def test_the_lists_the_server_generates_have_no_stored_labels():
    # villages.csv and households.csv: their labels are the areas' and the registry's own
    schema = compile_xlsform(markdown_form(), file_name="v.md").schema
    assert schema.fields_choosing_from("villages") and schema.choices == {}


def test_a_csv_list_not_published_with_the_form_has_no_stored_labels():
    assert "crops" not in _labelled().choices


def test_a_label_that_shows_an_answer_keeps_the_reference_and_fills_it_when_known():
    schema = _labelled()
    detail = schema.field_named("detail")
    assert detail.labels == {"中文 (zh)": "${item}：情况说明", "English (en)": "${item}: details"}
    assert schema.label_of(detail, "zh", {"item": "电视"}.get) == "电视：情况说明"
    # nothing to show (a column header): the reference and its punctuation go
    assert schema.label_of(detail, "zh") == "情况说明"
    assert schema.label_of(detail, "en") == "details"
    # a reference to a question is named by that question's label when there is no answer
    note = schema.field_named("note")
    assert schema.label_of(note, "zh") == "住房等级级的说明"
    assert schema.label_of(note, "en", {"grade": "C"}.get) == "About C"


def test_a_schema_stored_before_labels_were_reads_as_lists_without_labels():
    stored = _labelled().to_dict()
    stored["choices"] = {"grade": ["A", "C"]}
    schema = FormSchema.from_dict(stored)
    assert schema.choices == {"grade": {"A": {}, "C": {}}}
    assert schema.choice_labels()["grade"] == {"A": "A", "C": "C"}

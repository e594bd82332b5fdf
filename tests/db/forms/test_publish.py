"""Publishing forms: versions, conflicts, and keeping the last good version on failure."""

from __future__ import annotations

import textwrap

import pytest

from server.forms.errors import InvalidXLSForm, VersionConflict
from server.forms.service import list_current_versions, publish_form
from server.forms.validate import odk_validate_form
from tests.fixtures import PNG_BYTES, image_form, markdown_form


def _publish(session, source: bytes, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("attachments", {})
    return publish_form(session, source=source, source_name="form.md", **kwargs)


def _current(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {v.form.xml_form_id: v.version for v in list_current_versions(session)}


def test_publishing_the_same_version_again_changes_nothing(session):
    first = _publish(session, markdown_form())
    again = _publish(session, markdown_form())
    assert first.created
    assert not again.created
    assert again.version.id == first.version.id


def test_the_same_version_with_other_content_is_refused(session):
    _publish(session, markdown_form(version="4"))
    changed = markdown_form(version="4").replace("走访测试".encode(), "走访".encode())
    with pytest.raises(VersionConflict, match="raise the version"):
        _publish(session, changed)


def test_a_new_version_becomes_current_and_the_old_one_is_kept(session):
    _publish(session, markdown_form(version="1"))
    _publish(session, markdown_form(version="2"))
    assert _current(session) == {"visit_test": "2"}


def test_a_broken_new_version_leaves_the_last_good_one_current(session):
    _publish(session, markdown_form(version="1"))
    session.commit()
    broken = markdown_form(version="2").replace(b"| date ", b"| dat ")
    with pytest.raises(InvalidXLSForm):
        _publish(session, broken)
    session.rollback()
    assert _current(session) == {"visit_test": "1"}


@pytest.mark.slow
def test_a_form_javarosa_rejects_is_not_published(session):
    # pyxform accepts a call to an unknown function; JavaRosa (ODK Validate) does not.
    with pytest.raises(InvalidXLSForm, match="ODK Validate"):
        _publish(
            session,
            _with_calculation(markdown_form(version="3"), "no_such_function(1)"),
            validate=odk_validate_form,
        )
    assert _current(session) == {}


def _with_calculation(source: bytes, expression: str) -> bytes:
    lines = source.decode().splitlines()
    header = next(i for i, line in enumerate(lines) if "| type" in line)
    lines[header] = lines[header].rstrip() + " calculation |"
    for i in range(header + 1, len(lines)):
        if lines[i].startswith("| settings"):
            lines.insert(i, f"|          | calculate | derived |  |  | {expression} |")
            break
        lines[i] = lines[i].rstrip() + "  |"
    return "\n".join(lines).encode()


def test_missing_static_media_is_refused_with_the_file_name(session):
    with pytest.raises(InvalidXLSForm, match=r"logo 1\.png"):
        _publish(session, image_form())
    created = _publish(session, image_form(), attachments={"logo 1.png": PNG_BYTES})
    assert [a.filename for a in created.version.attachments] == ["logo 1.png"]


def test_labels_of_a_csv_list_published_with_the_form_are_stored_with_the_version(session):
    crops = """
    | survey   |                                |         |          |
    |          | type                           | name    | label    |
    |          | select_one_from_file crops.csv | crop    | 作物 Crop |
    | settings |                                |         |          |
    |          | form_id                        | version |          |
    |          | crops                          | 1       |          |
    """
    csv_file = "name,label\nrice,水稻\ntea,茶叶\n".encode()
    published = _publish(
        session, textwrap.dedent(crops).encode(), attachments={"crops.csv": csv_file}
    ).version
    session.expire_all()
    # stored as pairs: a JSON object's keys lose their order in PostgreSQL's JSONB
    crops = published.schema_json["choices"]["crops"]
    assert crops == [["rice", {"": "水稻"}], ["tea", {"": "茶叶"}]]
    assert published.schema.choice_labels()["crops"] == {"rice": "水稻", "tea": "茶叶"}

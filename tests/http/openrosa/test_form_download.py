"""Form and media download, manifests and the per-user household list (openrosa.md §3–§4)."""

from __future__ import annotations

import csv
import io

from server.forms.service import publish_form
from tests.fixtures import PNG_BYTES, make_household, markdown_form
from tests.http.openrosa.helpers import DEVICE, NS, md5, message, path_of, xml


def _manifest(client, persona, form_id="visit_test", version="1"):  # type: ignore[no-untyped-def]
    resp = client.get(f"/key/{persona.token}/forms/{form_id}/{version}/manifest?{DEVICE}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert resp.headers["X-OpenRosa-Version"] == "1.0"
    assert xml(resp).tag == "{http://openrosa.org/xforms/xformsManifest}manifest"
    return {
        f.findtext("m:filename", namespaces=NS): {
            "hash": f.findtext("m:hash", namespaces=NS),
            "url": f.findtext("m:downloadUrl", namespaces=NS),
        }
        for f in xml(resp).findall("m:mediaFile", NS)
    }


def _download(client, url):  # type: ignore[no-untyped-def]
    resp = client.get(path_of(url) + f"?{DEVICE}")
    assert resp.status_code == 200, resp.data
    return resp.data


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_manifest_lists_every_media_file_with_the_md5_of_its_bytes(client, eli):
    manifest = _manifest(client, eli)
    assert set(manifest) == {"households.csv", "villages.csv"}
    for entry in manifest.values():
        assert entry["hash"] == "md5:" + md5(_download(client, entry["url"]))


def test_static_media_with_a_space_in_its_name_downloads(client, eli):
    entry = _manifest(client, eli, "image_test")["logo 1.png"]
    assert entry["url"].endswith("/forms/image_test/1/media/logo%201.png")
    assert _download(client, entry["url"]) == PNG_BYTES
    assert entry["hash"] == "md5:" + md5(PNG_BYTES)


def test_household_list_holds_only_the_users_village_with_masked_phones(client, eli):
    rows = _rows(_download(client, _manifest(client, eli)["households.csv"]["url"]))
    assert [r["name"] for r in rows] == ["H440233100201-0001", "H440233100201-0002"]
    assert rows[0]["label"] == "张三（边缘易致贫户）"
    assert rows[0]["village"] == "440233100201" and rows[0]["town"] == "440233100000"
    assert rows[0]["phone_masked"] == "138****5678"
    assert "13812345678" not in str(rows)


def test_town_cadre_gets_every_village_of_the_town(client, tom):
    villages = _rows(_download(client, _manifest(client, tom)["villages.csv"]["url"]))
    assert len(villages) == 6 and {v["town"] for v in villages} == {"440233100000"}
    households = _rows(_download(client, _manifest(client, tom)["households.csv"]["url"]))
    assert {h["village"] for h in households} == {"440233100201", "440233100200"}


def test_household_list_hash_changes_when_and_only_when_its_rows_change(client, session, eli, tom):
    before = _manifest(client, eli)["households.csv"]["hash"]
    make_household(session, code="H440233100200-0009", village_code="440233100200")
    session.commit()
    assert _manifest(client, eli)["households.csv"]["hash"] == before  # another village
    make_household(session, code="H440233100201-0009", head_name="赵六")
    session.commit()
    assert _manifest(client, eli)["households.csv"]["hash"] != before


def test_form_download_supports_conditional_requests(client, eli):
    url = f"/key/{eli.token}/forms/visit_test/1/form.xml?{DEVICE}"
    first = client.get(url)
    assert first.headers["ETag"] == f'"{md5(first.data)}"'
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_older_versions_stay_downloadable_and_the_list_offers_the_newest(client, session, eli):
    publish_form(session, source=markdown_form(version="2"), source_name="v2.md", attachments={})
    session.commit()
    listed = xml(client.get(f"/key/{eli.token}/formList"))
    versions = {
        i.findtext("x:formID", namespaces=NS): i.findtext("x:version", namespaces=NS)
        for i in listed.findall("x:xform", NS)
    }
    assert versions["visit_test"] == "2"
    assert client.get(f"/key/{eli.token}/forms/visit_test/1/form.xml").status_code == 200


def test_unknown_form_version_and_media_are_404_with_a_message(client, eli):
    for path in (
        "forms/visit_test/9/form.xml",
        "forms/visit_test/1/media/nope.csv",
        "forms/nope/1/form.xml",
    ):
        resp = client.get(f"/key/{eli.token}/{path}?{DEVICE}")
        assert resp.status_code in (403, 404), path
        assert message(resp)
    assert client.get(f"/key/{eli.token}/forms/visit_test/9/form.xml").status_code == 404


def test_a_form_not_granted_is_403(client, session, county):
    from tests.fixtures import make_app_user

    limited = make_app_user(session, username="only-visit", form_ids=["visit_test"])
    session.commit()
    resp = client.get(f"/key/{limited.token}/forms/image_test/1/form.xml")
    assert resp.status_code == 403
    assert "image_test" in message(resp)


def test_path_tricks_in_media_names_find_nothing(client, eli):
    for name in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "households.csv%00"):
        resp = client.get(f"/key/{eli.token}/forms/visit_test/1/media/{name}")
        assert resp.status_code == 404

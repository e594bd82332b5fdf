"""formList (openrosa.md §2 and checklist §9.1–9.4), through the Flask test client."""

from __future__ import annotations

from tests.http.openrosa.helpers import DEVICE, NS, md5, message, path_of, xml


def _items(response) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    items = {}
    for item in xml(response).findall("x:xform", NS):
        values = {child.tag.split("}")[1]: child.text for child in item}
        items[values["formID"]] = values
    return items


def test_form_list_has_openrosa_headers_and_namespace(client, eli):
    resp = client.get(f"/key/{eli.token}/formList?{DEVICE}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert resp.headers["X-OpenRosa-Version"] == "1.0"
    assert resp.headers["Date"]
    assert "max-age" not in resp.headers.get("Cache-Control", "")
    assert xml(resp).tag == "{http://openrosa.org/xforms/xformsList}xforms"


def test_every_item_has_id_name_version_hash_and_absolute_urls(client, eli):
    resp = client.get(f"/key/{eli.token}/formList?{DEVICE}", base_url="http://phone.example:8000")
    item = _items(resp)["visit_test"]
    assert item["name"] == "走访测试 Visit test"
    assert item["version"] == "1"
    assert item["hash"].startswith("md5:") and len(item["hash"]) == 36
    assert item["downloadUrl"] == (
        f"http://phone.example:8000/key/{eli.token}/forms/visit_test/1/form.xml"
    )
    assert item["manifestUrl"] == (
        f"http://phone.example:8000/key/{eli.token}/forms/visit_test/1/manifest"
    )


def test_list_hash_is_the_md5_of_the_bytes_served_and_matches_the_root_id(client, eli):
    item = _items(client.get(f"/key/{eli.token}/formList"))["visit_test"]
    download = client.get(path_of(item["downloadUrl"]) + f"?{DEVICE}")
    assert download.status_code == 200
    assert item["hash"] == "md5:" + md5(download.data)
    root = xml(download).find(".//{http://www.w3.org/2002/xforms}instance/*")
    assert (root.get("id"), root.get("version")) == ("visit_test", "1")


def test_hash_is_stable_between_requests(client, eli):
    first = client.get(f"/key/{eli.token}/formList").data
    second = client.get(f"/key/{eli.token}/formList?{DEVICE}").data
    assert first == second


def test_only_the_forms_granted_to_the_user_are_listed(client, session, county):
    from tests.fixtures import make_app_user

    limited = make_app_user(session, username="only-visit", form_ids=["visit_test"])
    session.commit()
    assert set(_items(client.get(f"/key/{limited.token}/formList"))) == {"visit_test"}


def test_public_url_setting_decides_the_host_of_every_url(client, app, eli):
    app.config["PUBLIC_URL"] = "https://fangfan.example.cn/"
    item = _items(client.get(f"/key/{eli.token}/formList"))["visit_test"]
    assert item["downloadUrl"].startswith(f"https://fangfan.example.cn/key/{eli.token}/forms/")


def test_unchanged_list_revalidates_with_304(client, eli):
    first = client.get(f"/key/{eli.token}/formList")
    again = client.get(
        f"/key/{eli.token}/formList", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_unknown_token_is_403_with_an_openrosa_message_not_a_password_prompt(client, eli):
    resp = client.get(f"/key/not-a-token/formList?{DEVICE}")
    assert resp.status_code == 403
    assert "WWW-Authenticate" not in resp.headers
    assert "二维码" in message(resp)


def test_revoked_token_stops_working_at_once(client, session, eli):
    from server.auth.service import revoke_app_user
    from tests.fixtures import SETUP

    assert client.get(f"/key/{eli.token}/formList").status_code == 200
    revoke_app_user(session, eli.username, actor=None, operator=SETUP)
    session.commit()
    assert client.get(f"/key/{eli.token}/formList").status_code == 403

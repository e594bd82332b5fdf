"""The county administrator manages phone app users and shows their Collect QR codes."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib

import zxingcpp
from PIL import Image

from tests.http.web.helpers import login, post_form

HTML = {"Accept": "text/html"}
PAGE = "/admin/app-users"


def _qr_settings(page: bytes) -> dict:
    image = re.search(rb'src="data:image/png;base64,([^"]+)"', page).group(1)
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(image))))
    return json.loads(zlib.decompress(base64.b64decode(code.text)))


def test_the_admin_sees_every_app_user(client, ada, eli, tom):
    login(client, ada)
    page = client.get(PAGE, headers=HTML).data.decode()
    assert "eli" in page
    assert "tom" in page
    assert "梁坝村" in page
    assert "走访测试 Visit test" in page
    assert "新建手机端用户" in page


def test_creating_an_app_user_shows_a_qr_code_that_configures_collect(client, ada):
    login(client, ada)
    resp = post_form(
        client,
        PAGE,
        PAGE,
        {
            "username": "wang-1",
            "display_name": "王干部",
            "role": "village_cadre",
            "area_code": "440233100202",
            "form_ids": ["visit_test"],
        },
    )
    assert resp.status_code == 200
    page = resp.data.decode()
    assert "王干部 的 ODK Collect 二维码" in page
    assert "wang-1" in page
    # (the QR code's base64 may spell "ada" by chance: look at the text only)
    assert "ada" not in re.sub(r"data:[^\"']*", "", page.split("<main>")[1])
    settings = _qr_settings(resp.data)
    server_url = settings["general"]["server_url"]
    assert server_url.startswith("http://localhost/key/")
    assert settings["admin"] == {}
    formlist = client.get(server_url.removeprefix("http://localhost") + "/formList")
    assert formlist.status_code == 200
    assert b"visit_test" in formlist.data
    assert b"image_test" not in formlist.data


def test_invalid_input_is_shown_on_the_form(client, ada, eli):
    login(client, ada)
    resp = post_form(
        client,
        PAGE,
        PAGE,
        {
            "username": "eli",
            "display_name": "重名",
            "role": "village_cadre",
            "area_code": "440233100202",
            "form_ids": ["visit_test"],
        },
    )
    assert resp.status_code == 422
    assert "已存在" in resp.data.decode()
    bad_level = post_form(
        client,
        PAGE,
        PAGE,
        {
            "username": "town-1",
            "display_name": "镇",
            "role": "village_cadre",
            "area_code": "440233100000",
            "form_ids": ["visit_test"],
        },
    )
    assert bad_level.status_code == 422
    assert "village" in bad_level.data.decode()


def test_revoking_from_the_page_cuts_the_phone_off(client, ada, eli):
    login(client, ada)
    assert client.get(f"/key/{eli.token}/formList").status_code == 200
    resp = post_form(client, PAGE, f"{PAGE}/eli/revoke", {})
    assert resp.status_code == 302
    assert client.get(f"/key/{eli.token}/formList").status_code == 403
    assert "已停用" in client.get(PAGE, headers=HTML).data.decode()


def test_a_new_qr_code_replaces_the_old_token(client, ada, eli):
    login(client, ada)
    resp = post_form(client, PAGE, f"{PAGE}/eli/rotate", {})
    new_url = _qr_settings(resp.data)["general"]["server_url"]
    assert client.get(f"/key/{eli.token}/formList").status_code == 403
    assert client.get(new_url.removeprefix("http://localhost") + "/formList").status_code == 200


def test_other_roles_may_not_manage_app_users(client, sam, eli):
    login(client, sam)
    resp = client.get(PAGE, headers=HTML)
    assert resp.status_code == 403
    assert "无权访问" in resp.data.decode()
    assert post_form(client, "/", f"{PAGE}/eli/revoke", {}).status_code == 403
    assert client.get(f"/key/{eli.token}/formList").status_code == 200


def test_json_clients_get_json_errors(client, sam):
    login(client, sam)
    resp = client.get(PAGE, headers={"Accept": "application/json"})
    assert resp.status_code == 403
    assert resp.json["code"] == "auth.access_denied"

"""Phone authentication: Digest challenge/response, Basic only over https (openrosa.md §1)."""

from __future__ import annotations

import time

import pytest
import requests
from requests.utils import parse_dict_header

from server import create_app
from server.auth.digest import make_nonce
from server.auth.service import revoke_app_user
from tests.conftest import make_test_config
from tests.fixtures import SETUP
from tests.http.openrosa.helpers import (
    DEVICE,
    digest_authorization,
    digest_challenge,
    message,
)

FORM_LIST = f"/formList?{DEVICE}"


def _login(client, persona, url=FORM_LIST, password=None, **kwargs):  # type: ignore[no-untyped-def]
    challenge = digest_challenge(client.get(url, **kwargs))
    header = digest_authorization(
        challenge, "GET", f"http://localhost{url}", persona.username, password or persona.password
    )
    return client.get(url, headers={"Authorization": header}, **kwargs), header


def test_anonymous_request_gets_401_with_a_digest_challenge_collect_can_answer(client, eli):
    resp = client.get(FORM_LIST)
    assert resp.status_code == 401
    assert resp.headers["X-OpenRosa-Version"] == "1.0"
    challenges = resp.headers.getlist("WWW-Authenticate")
    assert len(challenges) == 1  # plain http: Basic is never offered (§1.3)
    assert challenges[0].startswith("Digest ")  # exact, case-sensitive scheme (§1.4)
    params = parse_dict_header(challenges[0].removeprefix("Digest "))
    assert params["realm"] == "Fangfan" and params["nonce"] and params["opaque"]
    assert params["qop"] == "auth" and params["algorithm"] == "MD5"
    assert message(resp)


def test_digest_response_opens_the_form_list(client, eli):
    resp, _header = _login(client, eli)
    assert resp.status_code == 200
    assert b"visit_test" in resp.data


def test_the_nonce_is_reused_preemptively_with_a_growing_nc(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    auth = requests.auth.HTTPDigestAuth(eli.username, eli.password)
    auth.init_per_thread_state()
    auth._thread_local.chal = parse_dict_header(challenge.removeprefix("Digest "))
    for number, url in enumerate([FORM_LIST, f"/forms/visit_test/1/form.xml?{DEVICE}"], start=1):
        header = auth.build_digest_header("GET", f"http://localhost{url}")
        assert f"nc={number:08x}" in header
        assert client.get(url, headers={"Authorization": header}).status_code == 200


def test_wrong_password_is_401_with_a_new_challenge(client, eli):
    resp, _ = _login(client, eli, password="wrong-password-123")
    assert resp.status_code == 401
    assert digest_challenge(resp).startswith("Digest ")


def test_a_response_for_another_uri_is_refused(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    header = digest_authorization(
        challenge, "GET", "http://localhost/forms/visit_test/1/form.xml", eli.username, eli.password
    )
    assert client.get(FORM_LIST, headers={"Authorization": header}).status_code == 401


def test_the_digest_uri_includes_the_device_id_query(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    without_query = digest_authorization(
        challenge, "GET", "http://localhost/formList", eli.username, eli.password
    )
    assert client.get(FORM_LIST, headers={"Authorization": without_query}).status_code == 401


def test_an_expired_nonce_gets_a_stale_challenge(client, app, eli):
    old = make_nonce(b"test-secret-key", now=time.time() - 3600, realm="Fangfan", salt="0f")
    challenge = f'Digest realm="Fangfan", nonce="{old}", qop="auth", opaque="x", algorithm=MD5'
    opaque = parse_dict_header(digest_challenge(client.get(FORM_LIST)).removeprefix("Digest "))[
        "opaque"
    ]
    challenge = challenge.replace('opaque="x"', f'opaque="{opaque}"')
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password
    )
    resp = client.get(FORM_LIST, headers={"Authorization": header})
    assert resp.status_code == 401
    assert "stale=true" in digest_challenge(resp)


def test_a_forged_nonce_is_refused(client, eli):
    challenge = (
        'Digest realm="Fangfan", nonce="12345.deadbeef", qop="auth", opaque="x", algorithm=MD5'
    )
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password
    )
    resp = client.get(FORM_LIST, headers={"Authorization": header})
    assert resp.status_code == 401
    assert "stale=true" not in digest_challenge(resp)


def test_revoked_user_is_refused_even_with_the_right_password(client, session, eli):
    revoke_app_user(session, eli.username, actor=None, operator=SETUP)
    session.commit()
    resp, _ = _login(client, eli)
    assert resp.status_code == 403
    assert "停用" in message(resp)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_basic_is_offered_and_accepted_only_over_https(client, eli, scheme):
    base_url = f"{scheme}://localhost"
    challenges = client.get(FORM_LIST, base_url=base_url).headers.getlist("WWW-Authenticate")
    assert any(c.startswith("Basic ") for c in challenges) == (scheme == "https")
    resp = client.get(FORM_LIST, base_url=base_url, auth=(eli.username, eli.password))
    assert resp.status_code == (200 if scheme == "https" else 401)


def test_no_cookie_is_ever_set_on_openrosa_routes(client, eli):
    resp, _ = _login(client, eli)
    assert "Set-Cookie" not in resp.headers


@pytest.mark.parametrize(
    "header",
    [
        "Digest",
        "Digest garbage",
        'Digest username="eli", realm="Fangfan", nonce="", uri="/formList", response="x"',
        'Digest username="eli", realm="Fangfan", nonce="zz.zz", uri="/formList", response="x", '
        'qop=auth, nc=00000001, cnonce="abc", opaque="x"',
        "Basic !!!not-base64",
        "Basic " + "QQ==" * 2000,
        "Bearer token",
        "Negotiate abc",
        "\u4e2d\u6587",
    ],
)
def test_malformed_authorization_is_a_401_with_a_challenge_never_a_500(client, eli, header):
    resp = client.get(FORM_LIST, headers={"Authorization": header.encode().decode("latin-1")})
    assert resp.status_code == 401
    assert digest_challenge(resp).startswith("Digest ")


def test_when_the_shared_state_is_away_digest_waits_and_token_urls_go_on(
    session_factory, tmp_path, eli
):
    """Digest needs the nonce counts (503: Collect keeps the form and retries); a token URL
    never touches the shared state."""
    app = create_app(make_test_config(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"))
    app.extensions["sessionmaker"] = session_factory
    client = app.test_client()
    resp, _ = _login(client, eli)
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "60"
    assert "服务器繁忙" in message(resp)
    assert client.get(f"/key/{eli.token}{FORM_LIST}").status_code == 200

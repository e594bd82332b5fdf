"""Failed phone logins are throttled per user and per client address (shared by every process).

Only failures count: a right password is never slowed by its own successes. Past the limit a
phone gets 429 with Retry-After and an OpenRosa message (Chinese first) that Collect shows; a
throttled user or address is refused even with the right password until the window passes.
"""

from __future__ import annotations

import pytest
from flask import Flask
from requests.utils import parse_dict_header

from server import create_app
from tests.conftest import SHARED_STATES, make_test_config
from tests.http.openrosa.helpers import (
    DEVICE,
    NS,
    digest_authorization,
    digest_challenge,
    message,
    xml,
)

pytestmark = pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)

FORM_LIST = f"/formList?{DEVICE}"
WRONG = "wrong-password-123"


def _digest(client, username, password, *, address="127.0.0.1"):  # type: ignore[no-untyped-def]
    environ = {"REMOTE_ADDR": address}
    challenge = digest_challenge(client.get(FORM_LIST, environ_base=environ))
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", username, password
    )
    return client.get(FORM_LIST, headers={"Authorization": header}, environ_base=environ)


def _fail(client, username, times, *, address="127.0.0.1"):  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert _digest(client, username, WRONG, address=address).status_code == 401


def _assert_throttled(resp, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert resp.headers["X-OpenRosa-Version"] == "1.0"
    assert "text/xml" in resp.headers["Content-Type"]
    assert xml(resp).tag == f"{{{NS['or']}}}OpenRosaResponse"
    text = message(resp)
    assert text.index("请") < text.index("/") < text.index("Too many")  # Chinese first
    for word in words:
        assert word in text
    assert "WWW-Authenticate" not in resp.headers  # not a prompt for another password


def test_ten_wrong_passwords_then_even_the_right_one_is_429(client, eli):
    _fail(client, eli.username, 10)
    wrong = _digest(client, eli.username, WRONG)
    _assert_throttled(wrong, "此账号", "即使密码正确")
    right = _digest(client, eli.username, eli.password)
    _assert_throttled(right, "此账号", "即使密码正确")
    assert b"visit_test" not in right.data


def test_successes_never_count(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    for nc in range(1, 31):
        header = digest_authorization(
            challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password, nc=nc
        )
        assert client.get(FORM_LIST, headers={"Authorization": header}).status_code == 200
    _fail(client, eli.username, 10)
    assert _digest(client, eli.username, eli.password).status_code == 429


def test_replays_and_stale_nonces_are_not_failures(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password
    )
    assert client.get(FORM_LIST, headers={"Authorization": header}).status_code == 200
    for _ in range(12):
        assert client.get(FORM_LIST, headers={"Authorization": header}).status_code == 401
    assert _digest(client, eli.username, eli.password).status_code == 200


def test_the_pause_ends_when_the_window_has_passed(app, client, eli, monkeypatch):
    now = [1_900_000_000.0]
    monkeypatch.setattr(app.extensions["phone_login_throttle"], "clock", lambda: now[0])
    _fail(client, eli.username, 10)
    blocked = _digest(client, eli.username, eli.password)
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "900"
    assert "15 分钟" in message(blocked)
    now[0] += 600
    assert _digest(client, eli.username, eli.password).headers["Retry-After"] == "300"
    now[0] += 300
    assert _digest(client, eli.username, eli.password).status_code == 200


def test_a_user_is_throttled_from_every_address(client, eli):
    for number in range(10):
        _fail(client, eli.username, 1, address=f"10.0.0.{number}")
    _assert_throttled(_digest(client, eli.username, eli.password, address="10.0.1.1"), "此账号")


def test_unknown_usernames_count_per_address(client, eli):
    for number in range(30):
        _fail(client, f"nobody{number}", 1, address="10.0.0.7")
    throttled = _digest(client, eli.username, eli.password, address="10.0.0.7")
    _assert_throttled(throttled, "此网络地址", "即使密码正确")
    assert _digest(client, eli.username, eli.password, address="10.0.0.8").status_code == 200


def test_bad_url_tokens_count_per_address(client, eli):
    environ = {"REMOTE_ADDR": "10.0.0.9"}
    for number in range(30):
        bad = client.get(f"/key/not-a-token-{number}{FORM_LIST}", environ_base=environ)
        assert bad.status_code == 403
    _assert_throttled(client.get(f"/key/guess{FORM_LIST}", environ_base=environ), "此网络地址")
    # Password logins from that address are paused too; a phone with a real token is not
    # (a token URL costs nothing new, and a token cannot be guessed).
    assert _digest(client, eli.username, eli.password, address="10.0.0.9").status_code == 429
    good = client.get(f"/key/{eli.token}{FORM_LIST}", environ_base=environ)
    assert good.status_code == 200


def test_basic_over_https_is_throttled_too(client, eli):
    https = {"base_url": "https://localhost"}
    for _ in range(10):
        assert client.get(FORM_LIST, auth=(eli.username, WRONG), **https).status_code == 401
    _assert_throttled(client.get(FORM_LIST, auth=(eli.username, eli.password), **https), "此账号")


def _app(session_factory, tmp_path, settings, **limits) -> Flask:  # type: ignore[no-untyped-def]
    app = create_app(make_test_config(tmp_path, **settings, **limits))
    app.extensions["sessionmaker"] = session_factory
    return app


def test_the_limits_are_configurable(session_factory, tmp_path, shared_state_settings, eli):
    app = _app(
        session_factory,
        tmp_path,
        shared_state_settings,
        PHONE_USER_FAILURE_LIMIT="2 per minute",
        PHONE_ADDRESS_FAILURE_LIMIT="3 per hour",
    )
    client = app.test_client()
    _fail(client, eli.username, 2)
    throttled = _digest(client, eli.username, eli.password)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) <= 60
    _fail(client, "nobody", 1, address="127.0.0.1")
    assert _digest(client, "tom", WRONG).status_code == 429  # address: 3 failures this hour


def test_two_server_processes_share_nonce_counts_and_failures(
    session_factory, tmp_path, shared_state_settings, eli
):
    """Two apps built from one configuration are what two `fangfan serve` workers are."""
    first = _app(session_factory, tmp_path, shared_state_settings).test_client()
    second = _app(session_factory, tmp_path, shared_state_settings).test_client()
    challenge = digest_challenge(first.get(FORM_LIST))
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password
    )
    assert first.get(FORM_LIST, headers={"Authorization": header}).status_code == 200
    replay = second.get(FORM_LIST, headers={"Authorization": header})
    assert replay.status_code == 401
    assert parse_dict_header(digest_challenge(replay).removeprefix("Digest "))["stale"] == "true"

    for client in (first, second) * 5:
        _fail(client, eli.username, 1)
    _assert_throttled(_digest(first, eli.username, eli.password), "此账号")
    _assert_throttled(_digest(second, eli.username, eli.password), "此账号")


def test_behind_a_trusted_proxy_the_address_is_the_phones(
    session_factory, tmp_path, shared_state_settings, eli
):
    """Else every phone would be the proxy's address, and one guesser would lock out all."""
    client = _app(session_factory, tmp_path, shared_state_settings, TRUST_PROXY=True).test_client()
    guesser = {"X-Forwarded-For": "203.0.113.5"}
    for number in range(30):
        challenge = digest_challenge(client.get(FORM_LIST, headers=guesser))
        header = digest_authorization(
            challenge, "GET", f"http://localhost{FORM_LIST}", f"nobody{number}", WRONG
        )
        assert (
            client.get(FORM_LIST, headers={"Authorization": header, **guesser}).status_code == 401
        )
    phone = {"X-Forwarded-For": "203.0.113.6"}
    challenge = digest_challenge(client.get(FORM_LIST, headers=phone))
    header = digest_authorization(
        challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password
    )
    assert client.get(FORM_LIST, headers={"Authorization": header, **phone}).status_code == 200
    guessed = client.get(FORM_LIST, headers={"Authorization": header, **guesser})
    assert guessed.status_code == 429

"""Digest nonce counts (RFC 7616 §3.4): each `nc` of a nonce is accepted once, in any order.

Collect reuses a nonce preemptively with a growing nc (openrosa.md §1.4), and requests may
arrive slightly out of order, so the server remembers which counts it has seen per nonce. A
replay is refused with a fresh `stale=true` challenge, which a real phone answers silently.
"""

from __future__ import annotations

import hashlib

import pytest
from requests.utils import parse_dict_header

from tests.conftest import SHARED_STATES
from tests.http.openrosa.helpers import DEVICE, digest_authorization, digest_challenge

pytestmark = pytest.mark.parametrize("shared_state", SHARED_STATES, indirect=True)

FORM_LIST = f"/formList?{DEVICE}"
SUBMISSION = f"/submission?{DEVICE}"


def _params(header: str) -> dict[str, str]:
    return parse_dict_header(header.removeprefix("Digest "))


@pytest.mark.parametrize(("method", "path"), [("GET", FORM_LIST), ("HEAD", SUBMISSION)])
def test_an_identical_authorization_header_is_accepted_only_once(client, eli, method, path):
    challenge = digest_challenge(client.open(path, method=method))
    header = digest_authorization(
        challenge, method, f"http://localhost{path}", eli.username, eli.password
    )
    first = client.open(path, method=method, headers={"Authorization": header})
    assert first.status_code in (200, 204)

    replay = client.open(path, method=method, headers={"Authorization": header})
    assert replay.status_code == 401
    fresh = digest_challenge(replay)
    # stale=true with a new nonce: Collect's loop guard lets it log in again silently (§1.4).
    assert _params(fresh)["stale"] == "true"
    assert _params(fresh)["nonce"] != _params(header)["nonce"]
    answer = digest_authorization(
        fresh, method, f"http://localhost{path}", eli.username, eli.password
    )
    again = client.open(path, method=method, headers={"Authorization": answer})
    assert again.status_code == first.status_code


def test_counts_may_arrive_out_of_order_but_each_is_accepted_once(client, eli):
    challenge = digest_challenge(client.get(FORM_LIST))
    headers = {
        nc: digest_authorization(
            challenge, "GET", f"http://localhost{FORM_LIST}", eli.username, eli.password, nc=nc
        )
        for nc in (1, 2, 3)
    }
    assert headers[3].count("nc=00000003") == 1
    for nc in (1, 3, 2):
        assert client.get(FORM_LIST, headers={"Authorization": headers[nc]}).status_code == 200
    for nc in (2, 1, 3):
        replay = client.get(FORM_LIST, headers={"Authorization": headers[nc]})
        assert replay.status_code == 401
        assert _params(digest_challenge(replay))["stale"] == "true"


def test_two_phones_challenged_in_the_same_second_get_different_nonces(client, eli):
    """Nonces are unique per challenge, so one phone's counts never refuse another's."""
    nonces = {_params(digest_challenge(client.get(FORM_LIST)))["nonce"] for _ in range(3)}
    assert len(nonces) == 3


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _hand_made(challenge, persona, *, qop="auth", nc="00000001", cnonce="0a4f113b0a4f113b"):  # type: ignore[no-untyped-def]
    """A correctly signed response whose qop/nc/cnonce fields are as given (None: left out)."""
    params = _params(challenge)
    ha1 = _md5(f"{persona.username}:{params['realm']}:{persona.password}")
    ha2 = _md5(f"GET:{FORM_LIST}")
    if qop:
        response = _md5(f"{ha1}:{params['nonce']}:{nc or ''}:{cnonce or ''}:{qop}:{ha2}")
    else:  # RFC 2069: no nonce count at all, so nothing could tell a replay
        response = _md5(f"{ha1}:{params['nonce']}:{ha2}")
    fields = [
        f'username="{persona.username}"',
        f'realm="{params["realm"]}"',
        f'nonce="{params["nonce"]}"',
        f'uri="{FORM_LIST}"',
        f'response="{response}"',
        f'opaque="{params["opaque"]}"',
    ]
    if qop is not None:
        fields.append(f"qop={qop}")
    if nc is not None:
        fields.append(f"nc={nc}")
    if cnonce is not None:
        fields.append(f'cnonce="{cnonce}"')
    return "Digest " + ", ".join(fields)


def test_a_well_formed_hand_made_response_is_accepted(client, eli):
    """The control for the refusals below: the same builder, with every field right."""
    header = _hand_made(digest_challenge(client.get(FORM_LIST)), eli)
    assert client.get(FORM_LIST, headers={"Authorization": header}).status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"qop": None, "nc": None, "cnonce": None},  # RFC 2069 style, no replay protection
        {"nc": None},
        {"nc": "zz"},
        {"nc": "1"},
        {"nc": "000000001"},
        {"cnonce": None},
        {"cnonce": ""},
    ],
    ids=["no-qop", "no-nc", "nc-not-hex", "nc-short", "nc-long", "no-cnonce", "empty-cnonce"],
)
def test_a_response_without_a_valid_nonce_count_is_refused(client, eli, fields):
    header = _hand_made(digest_challenge(client.get(FORM_LIST)), eli, **fields)
    resp = client.get(FORM_LIST, headers={"Authorization": header})
    assert resp.status_code == 401
    assert "stale" not in _params(digest_challenge(resp))

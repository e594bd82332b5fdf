"""Helpers for OpenRosa tests through the Flask test client."""

from __future__ import annotations

import hashlib

import requests
from lxml import etree
from requests.utils import parse_dict_header

from tests.collect import FORM_LIST_NS, MANIFEST_NS

DEVICE = "deviceID=collect%3AXb3kT0aa9QmZr2Lc"
NS = {"x": FORM_LIST_NS, "m": MANIFEST_NS, "or": "http://openrosa.org/http/response"}


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def xml(response) -> etree._Element:  # type: ignore[no-untyped-def]
    return etree.fromstring(response.data)


def message(response) -> str:  # type: ignore[no-untyped-def]
    return xml(response).findtext("or:message", namespaces=NS) or ""


def path_of(url: str) -> str:
    """The path and query of an absolute URL, for the test client."""
    return "/" + url.split("/", 3)[3]


def digest_authorization(
    challenge: str, method: str, url: str, username: str, password: str, *, nc: int = 1
) -> str:
    """The Authorization header requests' own Digest implementation computes for a challenge,
    as the `nc`-th use of its nonce."""
    auth = requests.auth.HTTPDigestAuth(username, password)
    auth.init_per_thread_state()
    auth._thread_local.chal = parse_dict_header(challenge.removeprefix("Digest "))
    if nc > 1:  # requests counts uses of the nonce it saw last
        auth._thread_local.last_nonce = auth._thread_local.chal["nonce"]
        auth._thread_local.nonce_count = nc - 1
    return auth.build_digest_header(method, url)


def digest_challenge(response) -> str:  # type: ignore[no-untyped-def]
    return next(v for v in response.headers.getlist("WWW-Authenticate") if v.startswith("Digest "))

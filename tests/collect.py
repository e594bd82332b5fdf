"""A client that talks to an OpenRosa server the way ODK Collect does (openrosa.md §0–§4).

It uses `requests` and requests' own HTTP Digest implementation, so the server is checked
against code we did not write. What it enforces is what makes a real phone fail:
- every GET carries `?deviceID=collect%3A…` (§0.3); the first request has no credentials and a
  401 must carry a challenge (§1.2); the nonce is then reused preemptively with a growing nc;
- form list and manifest: status exactly 200, Content-Type containing text/xml, an
  X-OpenRosa-Version header, the right root element and namespace, every required field (§2–§3);
- absolute http(s) URLs on the same host as the server URL, correctly escaped (§1.1, §2.3);
- the form's bytes hash to the list's `md5:` value and its root id/version match (§2.3, §4.3);
- each media file's bytes hash to the manifest's value (§3.4).
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import re
import secrets
import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from lxml import etree

FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
XFORMS_NS = "http://www.w3.org/2002/xforms"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_UNSAFE_URL_CHARS = re.compile(r"[ \"<>{}|\\^`]")


class CollectError(AssertionError):
    """What Collect would show as a failure."""


@dataclass
class MediaFile:
    filename: str
    hash: str
    download_url: str
    content: bytes = b""


@dataclass
class ServerForm:
    form_id: str
    name: str
    version: str | None
    hash: str | None
    download_url: str
    manifest_url: str | None
    media: list[MediaFile] = field(default_factory=list)
    xform: bytes = b""


class CollectClient:
    def __init__(self, server_url: str, username: str = "", password: str = "") -> None:
        self.server_url = server_url.rstrip("/")
        self.device_id = "collect:" + "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(16)
        )
        self.http = requests.Session()  # keep-alive, like OkHttp; no cookie is ever sent back
        self.http.cookies.set_policy(_NoCookies())
        if username:
            self.http.auth = requests.auth.HTTPDigestAuth(username, password)
        self.http.headers.update({"X-OpenRosa-Version": "1.0", "Accept-Encoding": "gzip"})
        self.http.headers.pop("Accept", None)

    def with_device_id(self, url: str) -> str:
        separator = "&" if urlsplit(url).query else "?"
        return f"{url}{separator}deviceID={self.device_id.replace(':', '%3A')}"

    def get(self, url: str) -> requests.Response:
        self._check_url(url)
        response = self.http.get(self.with_device_id(url), allow_redirects=True, timeout=60)
        if response.status_code != 200:  # §0.6: only 200 counts
            raise CollectError(f"GET {url} → {response.status_code}: {response.text[:300]}")
        return response

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CollectError(f"not an absolute http(s) URL: {url!r}")
        if _UNSAFE_URL_CHARS.search(url):
            raise CollectError(f"URL is not escaped: {url!r}")
        if parts.hostname.lower() != (urlsplit(self.server_url).hostname or "").lower():
            # §1.1: Collect sends no credentials to another host.
            raise CollectError(f"URL on another host than the server URL: {url!r}")

    def _xml_document(self, response: requests.Response, root: str, ns: str) -> etree._Element:
        content_type = response.headers.get("Content-Type")
        if content_type is not None and "text/xml" not in content_type.lower():
            raise CollectError(f"Content-Type {content_type!r} does not contain text/xml")
        if "X-OpenRosa-Version" not in response.headers:
            raise CollectError("missing X-OpenRosa-Version header")
        document = etree.fromstring(response.content)
        qname = etree.QName(document)
        if qname.localname != root or (qname.namespace or "").lower() != ns.lower():
            raise CollectError(f"root is {document.tag}, expected {{{ns}}}{root}")
        return document

    def form_list(self) -> list[ServerForm]:
        document = self._xml_document(
            self.get(f"{self.server_url}/formList"), "xforms", FORM_LIST_NS
        )
        forms = []
        for item in document:
            if (
                etree.QName(item).namespace != FORM_LIST_NS
                or etree.QName(item).localname.lower() != "xform"
            ):
                continue  # silently skipped by Collect
            values = {
                etree.QName(c).localname: (c.text or "").strip()
                for c in item
                if etree.QName(c).namespace == FORM_LIST_NS
            }
            if not all(values.get(k) for k in ("formID", "name", "downloadUrl")):
                raise CollectError(f"form list item lacks formID, name or downloadUrl: {values}")
            form_hash = values.get("hash")
            if form_hash is not None and not form_hash.startswith("md5:"):
                form_hash = None
            forms.append(
                ServerForm(
                    form_id=values["formID"],
                    name=values["name"],
                    version=values.get("version") or None,
                    hash=form_hash,
                    download_url=values["downloadUrl"],
                    manifest_url=values.get("manifestUrl") or None,
                )
            )
        return forms

    def manifest(self, form: ServerForm) -> list[MediaFile]:
        assert form.manifest_url
        document = self._xml_document(self.get(form.manifest_url), "manifest", MANIFEST_NS)
        files = []
        for item in document:
            if etree.QName(item).localname.lower() != "mediafile":
                continue
            values = {
                etree.QName(c).localname: (c.text or "").strip()
                for c in item
                if etree.QName(c).namespace == MANIFEST_NS
            }
            if not all(values.get(k) for k in ("filename", "hash", "downloadUrl")):
                raise CollectError(f"manifest entry lacks filename, hash or downloadUrl: {values}")
            if not values["hash"].startswith("md5:"):
                raise CollectError(f"media hash without md5: prefix: {values['hash']}")
            files.append(
                MediaFile(
                    values["filename"].rsplit("/", 1)[-1], values["hash"], values["downloadUrl"]
                )
            )
        return files

    def download(self, form: ServerForm) -> ServerForm:
        """Download a form and its media exactly as Collect's form downloader does."""
        if form.manifest_url:
            form.media = self.manifest(form)  # fetched while building the list (§3.1)
        if form.hash is None:
            raise CollectError("Missing form hash. ODK-compatible servers must include form hashes")
        form.xform = self.get(form.download_url).content
        if "md5:" + hashlib.md5(form.xform).hexdigest() != form.hash:
            raise CollectError(f"{form.form_id}: downloaded bytes do not match the list hash")
        self._check_xform_metadata(form)
        for media in form.media:
            media.content = self.get(media.download_url).content
            if "md5:" + hashlib.md5(media.content).hexdigest() != media.hash:
                raise CollectError(f"{media.filename}: bytes do not match the manifest hash")
        return form

    @staticmethod
    def _check_xform_metadata(form: ServerForm) -> None:
        document = etree.fromstring(form.xform)
        heads = document.findall(f"{{{XHTML_NS}}}head")
        bodies = document.findall(f"{{{XHTML_NS}}}body")
        if len(heads) != 1 or len(bodies) != 1:
            raise CollectError("form parsing error: need exactly one head and one body")
        title = heads[0].findtext(f"{{{XHTML_NS}}}title")
        models = heads[0].findall(f"{{{XFORMS_NS}}}model")
        if not (title or "").strip() or len(models) != 1:
            raise CollectError("form parsing error: need a title and exactly one model")
        root = next(iter(models[0].find(f"{{{XFORMS_NS}}}instance")))
        if root.get("id") != form.form_id or (root.get("version") or None) != form.version:
            raise CollectError(
                f"instance root id/version {root.get('id')}/{root.get('version')} "
                f"do not match the list's {form.form_id}/{form.version}"
            )

    def download_all(self) -> list[ServerForm]:
        return [self.download(form) for form in self.form_list()]


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Collect has no cookie jar (§0.1): a server that relies on cookies must fail here."""

    def set_ok(self, cookie, request):  # type: ignore[no-untyped-def]
        return False

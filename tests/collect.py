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


def instance_xml(
    form_id: str,
    version: str,
    body: str,
    *,
    instance_id: str,
    deprecated_id: str | None = None,
    root: str = "data",
) -> bytes:
    """An instance serialised the way JavaRosa does (openrosa.md §6.1)."""
    meta = f"<instanceID>{instance_id}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    return (
        f'<?xml version=\'1.0\' ?><{root} id="{form_id}" version="{version}">{body}'
        f"<meta>{meta}</meta></{root}>"
    ).encode()


def multipart_body(
    xml: bytes,
    files: dict[str, bytes] | None = None,
    *,
    incomplete: bool = False,
    xml_name: str = "走访测试 Visit test_2026-08-20_10-02-49.xml",
    part_lengths: bool = False,
    boundary: str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
) -> tuple[bytes, str]:
    """The exact multipart layout of OkHttp in Collect (openrosa.md §5.3), optionally with the
    per-part Content-Length older releases wrote."""

    def part(headers: list[str], content: bytes) -> bytes:
        if part_lengths:
            headers = [*headers, f"Content-Length: {len(content)}"]
        head = f"--{boundary}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
        return head.encode() + content + b"\r\n"

    def quoted(name: str) -> str:
        return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")

    chunks = [
        part(
            [
                f'Content-Disposition: form-data; name="xml_submission_file"; '
                f'filename="{quoted(xml_name)}"',
                "Content-Type: text/xml",
            ],
            xml,
        )
    ]
    for name, content in (files or {}).items():
        kind = "image/jpeg" if name.endswith(".jpg") else "application/octet-stream"
        chunks.append(
            part(
                [
                    f'Content-Disposition: form-data; name="{quoted(name)}"; '
                    f'filename="{quoted(name)}"',
                    f"Content-Type: {kind}",
                ],
                content,
            )
        )
    if incomplete:
        chunks.append(part(['Content-Disposition: form-data; name="*isIncomplete*"'], b"yes"))
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def submit(
    client: CollectClient,
    xml: bytes,
    files: dict[str, bytes] | None = None,
    *,
    incomplete: bool = False,
) -> requests.Response:
    """HEAD then POST, as Collect's uploader does for each instance (openrosa.md §5.2–§5.5)."""
    url = client.with_device_id(f"{client.server_url}/submission")
    head = client.http.head(url, timeout=60)
    if head.status_code != 204:
        raise CollectError(f"HEAD /submission → {head.status_code}, expected 204")
    if not head.headers.get("X-OpenRosa-Accept-Content-Length", "").isdigit():
        raise CollectError("HEAD /submission without X-OpenRosa-Accept-Content-Length")
    body, content_type = multipart_body(xml, files, incomplete=incomplete)
    response = client.http.post(url, data=body, headers={"Content-Type": content_type}, timeout=60)
    if response.status_code not in (201, 202):
        raise CollectError(f"POST /submission → {response.status_code}: {response.text[:300]}")
    if "OpenRosaResponse" not in response.text:
        raise CollectError("the 201 carries no OpenRosaResponse message")
    return response

"""ODK Collect settings QR codes (openrosa.md §7): a pure payload builder, qrcode renders."""

from __future__ import annotations

import base64
import io
import json
import zlib

import qrcode
from qrcode.constants import ERROR_CORRECT_L


def collect_settings(
    *,
    server_url: str,
    project_name: str,
    username: str | None = None,
    password: str | None = None,
    metadata_username: str | None = None,
) -> dict[str, dict[str, str]]:
    """The settings JSON Collect imports: `general` and `admin` are required by its schema."""
    general = {
        "server_url": server_url,
        "protocol": "odk_default",
        # Keep exactly the forms the server lists, and send finalized forms on any network.
        "form_update_mode": "match_exactly",
        "autosend": "wifi_and_cellular",
    }
    if username is not None and password is not None:
        general["username"] = username
        general["password"] = password
    if metadata_username:
        general["metadata_username"] = metadata_username
    return {"general": general, "admin": {}, "project": {"name": project_name, "color": "#b03a2e"}}


def encode_payload(settings: dict[str, dict[str, str]]) -> str:
    """base64(zlib(utf-8 JSON)), the encoding Collect's QR reader inflates."""
    raw = json.dumps(settings, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw)).decode("ascii")


def _qr(payload: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=2)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_png(payload: str) -> bytes:
    image = _qr(payload).make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_text(payload: str) -> str:
    """The QR code drawn with half-block characters, scannable from a terminal."""
    buffer = io.StringIO()
    _qr(payload).print_ascii(out=buffer, invert=True)
    return buffer.getvalue()

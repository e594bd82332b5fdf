import base64
import io
import json
import zlib

import zxingcpp
from PIL import Image

from server.auth.digest import NonceState, check_nonce, make_nonce, nonce_count
from server.auth.qr import collect_settings, encode_payload, qr_png, qr_text

SECRET = b"secret"


def test_a_fresh_nonce_is_valid_then_stale_after_its_lifetime():
    nonce = make_nonce(SECRET, now=1000.0, realm="R", salt="a1")
    assert check_nonce(SECRET, nonce, now=1100.0, realm="R", lifetime=900) is NonceState.VALID
    assert check_nonce(SECRET, nonce, now=2000.0, realm="R", lifetime=900) is NonceState.STALE


def test_nonces_of_one_second_differ_by_their_salt():
    first, second = (make_nonce(SECRET, now=1000.0, realm="R", salt=s) for s in ("a1", "b2"))
    assert first != second
    forged = second.replace(".b2.", ".a1.")
    assert check_nonce(SECRET, forged, now=1000, realm="R", lifetime=900) is NonceState.INVALID


def test_a_nonce_from_another_secret_realm_or_the_future_is_invalid():
    nonce = make_nonce(SECRET, now=1000.0, realm="R", salt="a1")
    assert check_nonce(b"other", nonce, now=1000, realm="R", lifetime=900) is NonceState.INVALID
    assert check_nonce(SECRET, nonce, now=1000, realm="X", lifetime=900) is NonceState.INVALID
    future = make_nonce(SECRET, now=5000.0, realm="R", salt="a1")
    assert check_nonce(SECRET, future, now=1000, realm="R", lifetime=900) is NonceState.INVALID
    for garbage in ("garbage", "a.b.c.d", "zz.a1.00", ""):
        assert check_nonce(SECRET, garbage, now=1000, realm="R", lifetime=900) is (
            NonceState.INVALID
        )


def test_a_nonce_issued_before_nonces_had_a_salt_is_stale_not_invalid():
    """Phones holding one when the server is upgraded log in again without a dialog."""
    import hashlib
    import hmac

    signature = hmac.new(SECRET, b"3e8:R", hashlib.sha256).hexdigest()[:32]
    unsalted = f"3e8.{signature}"
    assert check_nonce(SECRET, unsalted, now=1000, realm="R", lifetime=900) is NonceState.STALE
    assert check_nonce(SECRET, "3e8.00", now=1000, realm="R", lifetime=900) is NonceState.INVALID


def test_a_nonce_count_needs_qop_auth_eight_hex_digits_and_a_cnonce():
    assert nonce_count(qop="auth", nc="0000000a", cnonce="c") == 10
    assert nonce_count(qop="auth", nc="0000000A", cnonce="c") == 10
    for qop, nc, cnonce in [
        (None, "00000001", "c"),
        ("auth-int", "00000001", "c"),
        ("auth", None, "c"),
        ("auth", "1", "c"),
        ("auth", "0000000g", "c"),
        ("auth", "00000001", None),
        ("auth", "00000001", ""),
    ]:
        assert nonce_count(qop=qop, nc=nc, cnonce=cnonce) is None


def test_qr_payload_is_base64_zlib_json_with_general_and_admin():
    settings = collect_settings(
        server_url="http://10.0.0.5:8000/key/abc",
        project_name="防返 梁坝村",
        metadata_username="张三",
    )
    payload = encode_payload(settings)
    decoded = json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))
    assert decoded["admin"] == {}
    assert decoded["general"]["server_url"] == "http://10.0.0.5:8000/key/abc"
    assert decoded["general"]["form_update_mode"] == "match_exactly"
    assert "password" not in decoded["general"]
    assert decoded["project"]["name"] == "防返 梁坝村"
    assert len(payload) < 4000  # Collect's own generator refuses more (openrosa.md §7)


def test_the_qr_png_decodes_back_to_the_exact_payload():
    payload = encode_payload(
        collect_settings(
            server_url="http://192.0.2.10:8000/key/eTeIrET-dHJp47xZ2nb1FoJkRYiQzFvrJRKMFaHNd3Q",
            project_name="防返 梁坝村干部（示例）",
            metadata_username="梁坝村干部（示例）",
        )
    )
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(payload))))
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert decoded.text == payload


def test_the_terminal_qr_is_drawn_with_block_characters():
    payload = encode_payload(collect_settings(server_url="http://h/key/t", project_name="p"))
    lines = qr_text(payload).splitlines()
    assert len(lines) > 10
    assert "█" in lines[0]

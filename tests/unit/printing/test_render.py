"""The print stack: start-up check, and a URL fetcher that fetches nothing from the network."""

from __future__ import annotations

import pytest

from server.printing import render
from tests.registry_factories import photo_jpeg, signature_png


@pytest.fixture
def fresh_check():  # type: ignore[no-untyped-def]
    render.check_print_stack.cache_clear()
    yield render.check_print_stack
    render.check_print_stack.cache_clear()


def test_the_machine_has_the_cjk_font_and_fast_subsetting(fresh_check):
    fresh_check()  # raises if not: scripts/bootstrap installs both


def test_a_missing_font_or_subsetter_stops_with_what_to_install(fresh_check, monkeypatch):
    import weasyprint.text.ffi as ffi

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    monkeypatch.setattr(render, "_font_styles", lambda family: {"Regular"})
    with pytest.raises(render.PrintStackMissing) as err:
        fresh_check()
    message = str(err.value)
    assert "libharfbuzz-subset0" in message and "Noto Sans CJK SC" in message
    assert "scripts/bootstrap" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        f"file://{render.EXPORTS_DIR}/../pyproject.toml",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_the_network_and_files_outside_exports(url):
    fetcher = render.make_fetcher(lambda sha: b"")
    with pytest.raises(ValueError):  # noqa: PT011 - any refusal will do
        fetcher.fetch(url)


def test_the_fetcher_serves_exports_and_stored_attachments_downscaled():
    stored = {"a" * 64: photo_jpeg(1, (1600, 1200)), "b" * 64: signature_png()}
    fetcher = render.make_fetcher(stored.get)
    css = fetcher.fetch(f"file://{render.EXPORTS_DIR}/print.css")
    assert b"Noto Sans CJK SC" in css.read()
    photo = fetcher.fetch("attachment:photo/" + "a" * 64)
    assert photo.content_type == "image/jpeg"
    from io import BytesIO

    from PIL import Image

    assert max(Image.open(BytesIO(photo.read())).size) == render.PHOTO_MAX_PX
    assert fetcher.fetch("attachment:signature/" + "b" * 64).content_type == "image/png"
    with pytest.raises(ValueError, match="no stored attachment"):
        fetcher.fetch("attachment:photo/" + "c" * 64)

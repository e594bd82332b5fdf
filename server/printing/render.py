"""WeasyPrint for Fangfan: templates from `exports/`, one font configuration per process, a URL
fetcher that fetches nothing from the network, and the start-up check of the print stack.

Why each piece exists (shared/printing.md): without `libharfbuzz-subset0` WeasyPrint subsets
the CJK font with fontTools, 25× slower, and says so only through a silent logger; a new
`FontConfiguration` per document costs time and lets memory creep; a generic `sans-serif`
would print digits in another font, so the CSS names "Noto Sans CJK SC" (Regular and Bold, so
bold is real bold) and checks here that fontconfig has both.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from PIL import Image

from server.config import REPO_ROOT
from server.core.errors import DomainError

EXPORTS_DIR = REPO_ROOT / "exports"
CJK_FAMILY = "Noto Sans CJK SC"
PDF_VARIANT = "pdf/a-3b"  # PDF/A-3 allows the transparent signature PNGs (A-1 does not)
PHOTO_MAX_PX = 640  # ≈ 210 dpi at the 78 mm printed width; phones send up to 1600 px
SIGNATURE_MAX_PX = 600

# Fetches stored attachment bytes by SHA-256; None when there is no such file.
AttachmentSource = Callable[[str], bytes | None]


class PrintStackMissing(DomainError):
    """The machine cannot print archive PDFs correctly; the message says what to install."""

    status = 500
    code = "printing.stack_missing"


@functools.cache
def check_print_stack() -> None:
    """Stop with a clear message when the CJK font or HarfBuzz subsetting is missing."""
    from weasyprint.text.ffi import harfbuzz_subset  # type: ignore[import-untyped]

    problems = []
    if harfbuzz_subset is None:
        problems.append(
            "缺少 libharfbuzz-subset0，PDF 字体子集化会慢约 25 倍 / libharfbuzz-subset0 is "
            "missing: font subsetting would be about 25 times slower"
        )
    styles = _font_styles(CJK_FAMILY)
    if not {"Regular", "Bold"} <= styles:
        problems.append(
            f"缺少中文字体 {CJK_FAMILY}（常规和粗体），将打印出方框 / the CJK font {CJK_FAMILY} "
            f"(Regular and Bold) is missing, Chinese would print as boxes; found {sorted(styles)}"
        )
    if problems:
        raise PrintStackMissing(
            "；".join(problems) + "。请运行 scripts/bootstrap / run scripts/bootstrap "
            "(apt-get install fonts-noto-cjk libharfbuzz-subset0)"
        )


def _font_styles(family: str) -> set[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    listing = subprocess.run(  # noqa: S603 - fixed program, fixed arguments
        [fc_list, f":family={family}", "style"], capture_output=True, text=True, check=False
    ).stdout
    return {s for line in listing.splitlines() for s in line.split("=", 1)[-1].split(",")}


@functools.cache
def font_config() -> Any:
    """One FontConfiguration per process (a new one per document costs ~5 % and leaks memory)."""
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    return FontConfiguration()


@functools.cache
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(EXPORTS_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, **context: Any) -> str:
    return templates().get_template(template).render(**context)


def downscale(content: bytes, kind: str) -> tuple[bytes, str]:
    """Photos become ≤640 px JPEGs, signatures ≤600 px PNGs: phone originals would make a
    binder 3× bigger with no visible gain (shared/printing.md §4d)."""
    limit = SIGNATURE_MAX_PX if kind == "signature" else PHOTO_MAX_PX
    with Image.open(io.BytesIO(content)) as img:
        if max(img.size) <= limit and img.format in ("JPEG", "PNG"):
            return content, Image.MIME[img.format]
        scale = limit / max(img.size)
        target = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        # JPEG: decode straight at 1/2, 1/4… of the size (DCT scaling), then resize the rest.
        img.draft("RGB", target)
        out = io.BytesIO()
        if kind == "signature":
            # Thin strokes scaled by ~3/4 look the same bilinear; and WeasyPrint re-compresses
            # the pixels anyway. Bicubic + optimize cost ~20 ms a signature, 400 in a binder.
            img.thumbnail((limit, limit), Image.Resampling.BILINEAR)
            img.save(out, format="PNG", compress_level=1)
            return out.getvalue(), "image/png"
        img.thumbnail((limit, limit), Image.Resampling.BICUBIC)
        img.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue(), "image/jpeg"


def make_fetcher(attachments: AttachmentSource) -> Any:
    """A fetcher for `exports/` files, data: URIs and `attachment:<kind>/<sha256>`; nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    exports = EXPORTS_DIR.resolve()

    class ArchiveFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("attachment:"):
                kind, _, sha = url.removeprefix("attachment:").partition("/")
                content = attachments(sha)
                if content is None:
                    raise ValueError(f"no stored attachment {sha}")
                body, mime = downscale(content, kind)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve()
            if parts.scheme != "file" or not path.is_relative_to(exports):
                raise ValueError(f"refused to fetch {url}: only exports/ and stored attachments")
            return super().fetch(url, headers)

    return ArchiveFetcher(allowed_protocols=("file", "data", "attachment"), fail_on_errors=False)


def render_pdf(html: str, attachments: AttachmentSource, target: Any = None) -> bytes | None:
    """HTML → PDF/A bytes (or into `target`, a path or file)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    check_print_stack()
    document = HTML(
        string=html, base_url=str(EXPORTS_DIR) + "/", url_fetcher=make_fetcher(attachments)
    )
    return document.write_pdf(target, font_config=font_config(), pdf_variant=PDF_VARIANT)


def render_document(html: str, attachments: AttachmentSource) -> Any:
    """Lay out only (for binder parts, which need page counts and anchors before writing)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    check_print_stack()
    document = HTML(
        string=html, base_url=str(EXPORTS_DIR) + "/", url_fetcher=make_fetcher(attachments)
    )
    return document.render(font_config=font_config(), pdf_variant=PDF_VARIANT)

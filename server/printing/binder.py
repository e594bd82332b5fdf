"""The village monthly binder, rendered in parts so memory stays bounded, on one or more processes.

WeasyPrint holds the layout of a whole document in memory (about 2 MB a page: 1 GB for a 400-page
binder, shared/printing.md §4). So the binder is rendered as
1. body parts of `chunk_size` households each (in worker processes when `workers > 1`): each
   part is laid out, reports its page count and the page each household starts on, and is
   written to a temporary PDF;
2. the front matter (cover, table of contents with the page numbers now known);
then the parts are joined with pikepdf (qpdf), every page gets "第 N 页 共 M 页" counting the
whole binder (drawn with a font subset WeasyPrint made, see `_stamp_footers`), and the result
keeps the front matter's PDF/A identification and metadata.
Images go to the workers as files in a private temporary folder, never through the network.
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import re
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from server.printing import render
from server.printing.documents import anchor_of
from server.printing.pagination import (
    TOC_ROWS_PER_PAGE,
    PartLayout,
    chunks,
    first_pages,
    front_matter_pages,
    total_pages,
)

DEFAULT_CHUNK = 20  # households per part: ~40 pages, ~250 MB peak per process


@dataclass(frozen=True)
class PartJob:
    html: str
    blob_dir: str
    out_path: str


@dataclass(frozen=True)
class BinderResult:
    pages: int
    households: int
    page_numbers: dict[str, int]


class _DirSource:
    """Stored attachments copied into a folder as `<sha256>` files (picklable for workers)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def __call__(self, sha: str) -> bytes | None:
        path = self.folder / sha
        if not sha.isalnum() or not path.is_file():
            return None
        return path.read_bytes()


def render_part(job: PartJob) -> PartLayout:
    """Lay out one part, note where each household starts, write it. Runs in a worker."""
    render.check_print_stack()
    document = render.render_document(job.html, _DirSource(job.blob_dir))
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("hh-"):
                anchors.setdefault(anchor, index)
    document.write_pdf(job.out_path, pdf_variant=render.PDF_VARIANT)
    return PartLayout(pages=len(document.pages), anchors=anchors)


def render_binder(
    cover: dict[str, Any],
    forms: list[dict[str, Any]],
    blobs: Iterable[tuple[str, bytes]],
    target: Any,
    *,
    meta: dict[str, str],
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> BinderResult:
    """Write the binder PDF to `target` (path or binary file); `progress(n)`: n more done."""
    with tempfile.TemporaryDirectory(prefix="fangfan-binder-") as tmp:
        folder = Path(tmp)
        (folder / "blobs").mkdir()
        for sha, content in blobs:
            (folder / "blobs" / sha).write_bytes(content)
        if workers > 1:  # at least one part per worker
            chunk_size = max(1, min(chunk_size, -(-len(forms) // workers)))
        parts = chunks(len(forms), chunk_size)
        jobs = [
            PartJob(
                html=render.render_html("binder_part.html", forms=forms[r.start : r.stop], **meta),
                blob_dir=str(folder / "blobs"),
                out_path=str(folder / f"part-{n:04d}.pdf"),
            )
            for n, r in enumerate(parts)
        ]
        layouts = _render_parts(jobs, parts, workers, progress)
        front_path = folder / "front.pdf"
        front = _render_front(cover, forms, layouts, front_path, meta)
        total = total_pages(front, layouts)
        _join(
            front_path,
            [Path(j.out_path) for j in jobs],
            target,
            forms,
            total,
            first_pages(front, layouts),
        )
        return BinderResult(total, len(forms), first_pages(front, layouts))


FOOTER_SIZE = 8.5  # pt, as @bottom-center in exports/print.css
FOOTER_BASELINE = 21.0  # pt above the bottom edge: centred in the 17 mm bottom margin
FOOTER_FONT = pikepdf.Name("/FangfanFooter")


def _stamp_footers(binder: pikepdf.Pdf) -> None:
    """Write "第 N 页  共 M 页" at the foot of every page, N and M counting the whole binder.

    Drawn straight into each page with a font subset WeasyPrint made once (the digits, 第页共
    and space): 0.1 s for 400 pages, where a WeasyPrint footer document took 2.5 s.
    """
    font_source, glyphs, widths = _footer_font()
    with pikepdf.open(io.BytesIO(font_source)) as source:
        font = binder.copy_foreign(next(iter(source.pages[0].Resources.Font.values())))
    total = len(binder.pages)
    for number, page in enumerate(binder.pages, start=1):
        text = f"第 {number} 页  共 {total} 页"
        width = sum(widths[c] for c in text) * FOOTER_SIZE / 1000
        x = (float(page.mediabox[2]) - width) / 2
        codes = "".join(f"{glyphs[c]:04x}" for c in text)
        page.add_resource(font, pikepdf.Name.Font, FOOTER_FONT)
        page.contents_add(pikepdf.Stream(binder, b"q\n"), prepend=True)
        stream = f"Q q BT {FOOTER_FONT} {FOOTER_SIZE} Tf {x:.2f} {FOOTER_BASELINE} Td "
        stream += f"<{codes}> Tj ET Q\n"
        page.contents_add(pikepdf.Stream(binder, stream.encode("ascii")))


@functools.cache
def _footer_font() -> tuple[bytes, dict[str, int], dict[str, int]]:
    """A one-line PDF with the footer's characters, its glyph ids and advance widths."""
    html = render.render_html("binder_glyphs.html", text="第页共 0123456789")
    source = render.render_pdf(html, _no_files) or b""
    with pikepdf.open(io.BytesIO(source)) as pdf:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        cmap = font.ToUnicode.read_bytes().decode("ascii")
        glyphs = {
            chr(int(u, 16)): int(g, 16)
            for g, u in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>", cmap)
        }
        by_gid = _widths(list(font.DescendantFonts[0].W))
    return source, glyphs, {c: by_gid.get(g, 1000) for c, g in glyphs.items()}


def _widths(w: list[Any]) -> dict[int, int]:
    """A CID font's /W array ([first [w1 w2 …]] or [first last w]) as glyph id → width."""
    widths: dict[int, int] = {}
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], pikepdf.Array):
            for k, value in enumerate(w[i + 1]):
                widths[first + k] = int(value)
            i += 2
        else:
            for gid in range(first, int(w[i + 1]) + 1):
                widths[gid] = int(w[i + 2])
            i += 3
    return widths


def _no_files(_sha: str) -> bytes | None:
    return None


def _render_parts(
    jobs: list[PartJob],
    parts: list[range],
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[PartLayout]:
    if workers <= 1 or len(jobs) <= 1:
        layouts = []
        for job, households in zip(jobs, parts, strict=True):
            layouts.append(render_part(job))
            if progress:
                progress(len(households))
        return layouts
    # forkserver: workers never inherit the parent's database connections or threads (a
    # server worker has several), yet start from a server that imported the print stack
    # once, instead of importing it again in every worker as spawn would.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["server.printing.binder"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(render_part, job) for job in jobs]
        layouts = []
        for future, households in zip(futures, parts, strict=True):
            layouts.append(future.result())
            if progress:
                progress(len(households))
        return layouts


def _render_front(
    cover: dict[str, Any],
    forms: list[dict[str, Any]],
    layouts: list[PartLayout],
    path: Path,
    meta: dict[str, str],
) -> int:
    """Render cover + contents; its length is fixed by the row count, so numbers are final."""
    front = front_matter_pages(len(forms))
    html = render.render_html(
        "binder_front.html",
        cover=cover,
        page_numbers=first_pages(front, layouts),
        total_pages=total_pages(front, layouts),
        rows_per_page=TOC_ROWS_PER_PAGE,
        **meta,
    )
    render.render_pdf(html, _no_files, path)
    with pikepdf.open(path) as pdf:
        if len(pdf.pages) != front:
            raise RuntimeError(f"front matter has {len(pdf.pages)} pages, expected {front}")
    return front


def _join(
    front_path: Path,
    part_paths: list[Path],
    target: Any,
    forms: list[dict[str, Any]],
    total: int,
    page_numbers: dict[str, int],
) -> None:
    with pikepdf.open(front_path) as binder:
        opened = [pikepdf.open(p) for p in part_paths]
        try:
            for part in opened:
                binder.pages.extend(part.pages)
            if len(binder.pages) != total:
                raise RuntimeError(f"binder has {len(binder.pages)} pages, expected {total}")
            _stamp_footers(binder)
            with binder.open_outline() as outline:
                outline.root.append(pikepdf.OutlineItem("封面 / 目录", 0))
                for form in forms:
                    title = f"{form['household']['head_name']}　{form['archive_no']}"
                    outline.root.append(
                        pikepdf.OutlineItem(title, page_numbers[anchor_of(form)] - 1)
                    )
            binder.save(target)
        finally:
            for part in opened:
                part.close()

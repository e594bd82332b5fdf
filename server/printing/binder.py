"""The village monthly binder, rendered in parts so memory stays bounded, on one or more processes.

WeasyPrint holds the layout of a whole document in memory (about 2 MB a page: 1 GB for a 400-page
binder, shared/printing.md §4). So the binder is rendered as
1. body parts of `chunk_size` households each (in worker processes when `workers > 1`): each
   part is laid out, reports its page count and the page each household starts on, and is
   written to a temporary PDF;
2. the front matter (cover, table of contents with the page numbers now known);
3. a footer layer, one page per binder page, with "第 N 页 共 M 页" counting the whole binder;
then the parts are joined with pikepdf (qpdf), each page gets its footer as an overlay, and the
result keeps the front matter's PDF/A identification and metadata.
Images go to the workers as files in a private temporary folder, never through the network.
"""

from __future__ import annotations

import multiprocessing
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
        footer_path = folder / "footer.pdf"
        render.render_pdf(
            render.render_html("binder_footer.html", pages=total), _no_files, footer_path
        )
        _join(
            front_path,
            [Path(j.out_path) for j in jobs],
            footer_path,
            target,
            forms,
            first_pages(front, layouts),
        )
        return BinderResult(total, len(forms), first_pages(front, layouts))


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
    # spawn: workers never inherit the parent's database connections or threads.
    context = multiprocessing.get_context("spawn")
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
    footer_path: Path,
    target: Any,
    forms: list[dict[str, Any]],
    page_numbers: dict[str, int],
) -> None:
    with pikepdf.open(front_path) as binder, pikepdf.open(footer_path) as footer:
        opened = [pikepdf.open(p) for p in part_paths]
        try:
            for part in opened:
                binder.pages.extend(part.pages)
            for page, footer_page in zip(binder.pages, footer.pages, strict=True):
                page.add_overlay(footer_page)
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

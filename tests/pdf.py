"""Reading real PDFs back with poppler-utils (pdftotext, pdffonts, pdfinfo), as a person would."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [tool, *args, f.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def text(pdf: bytes) -> str:
    return _run("pdftotext", pdf, "-layout")


def page_texts(pdf: bytes) -> list[str]:
    return text(pdf).split("\f")[:-1]


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts rows: name, type, encoding, emb, sub, uni."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    rows = []
    for line in lines:
        cols = line.split()
        rows.append({"name": cols[0], "emb": cols[-5], "sub": cols[-4], "uni": cols[-3]})
    return rows


def info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Pages, …) and, under "_xmp", the XMP metadata packet."""
    fields = {}
    for line in _run("pdfinfo", pdf).splitlines():
        key, _sep, value = line.partition(":")
        fields[key.strip()] = value.strip()
    fields["_xmp"] = _run("pdfinfo", pdf, "-meta")
    return fields


def qr_codes(pdf: bytes, page: int = 1) -> list[str]:
    """The QR codes on a page, decoded by ZXing from a 150 dpi rendering (pdftoppm)."""
    import io

    import zxingcpp
    from PIL import Image

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        png = subprocess.run(
            ["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), f.name],
            capture_output=True,
            check=True,
        ).stdout
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def pages(pdf: bytes) -> int:
    return int(info(pdf)["Pages"])


def save(pdf: bytes, path: Path) -> Path:
    path.write_bytes(pdf)
    return path

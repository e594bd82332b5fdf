"""Page arithmetic of a binder rendered in parts. Pure.

A binder is rendered as front matter (cover + table of contents) and body parts of a few
households each, so no process ever holds the layout of the whole binder (about 2 MB of
memory per page). Page numbers must still count the whole binder: the parts report how many
pages they have and on which page each household starts, and this module turns that into the
numbers the table of contents and the footers print.
No Flask, SQLAlchemy, clock or files here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TOC_ROWS_PER_PAGE = 30  # fixed row height in exports/print.css; a TOC row never wraps


@dataclass(frozen=True, slots=True)
class PartLayout:
    """What rendering one body part found: its page count and each anchor's page (0-based)."""

    pages: int
    anchors: dict[str, int]


def chunks(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def front_matter_pages(households: int) -> int:
    """Cover page plus the table of contents (at least one page, even when empty)."""
    return 1 + max(1, math.ceil(households / TOC_ROWS_PER_PAGE))


def first_pages(front_pages: int, parts: Sequence[PartLayout]) -> dict[str, int]:
    """Each anchor's 1-based page number in the whole binder."""
    numbers: dict[str, int] = {}
    offset = front_pages
    for part in parts:
        for anchor, index in part.anchors.items():
            numbers[anchor] = offset + index + 1
        offset += part.pages
    return numbers


def total_pages(front_pages: int, parts: Sequence[PartLayout]) -> int:
    return front_pages + sum(part.pages for part in parts)

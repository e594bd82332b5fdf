"""Mask resident ID numbers and phone numbers for display (domain.md §8.1).

Pure: strings in, strings out. `440233197503120015` → `440233********0015`;
`13812345678` → `138****5678`. `mask_text` masks every ID-like or phone-like run inside free
text (issue messages, remarks, a disability certificate number that embeds an ID).
"""

from __future__ import annotations

import re

_LONG_ID = re.compile(r"(?<![0-9])(\d{6})\d{8,}(\d{3}[0-9Xx])(?![0-9])")
_SHORT_ID = re.compile(r"(?<![0-9])(\d{6})\d{6}(\d{3})(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(1\d{2})\d{4}(\d{4})(?![0-9])")


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str | None) -> str:
    """Masks 17/18-digit (and longer) ID runs, legacy 15-digit IDs and 11-digit mobiles."""
    if not text:
        return ""
    text = _LONG_ID.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(2), text)
    text = _SHORT_ID.sub(lambda m: m.group(1) + "*" * 6 + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)

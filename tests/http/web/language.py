"""Reading a page as a person does, to check that it speaks one language and shows no codes.

What a person reads: the text of the page (not scripts, styles or `<code>`, which holds literal
data: URLs, passwords, commands) and the attributes a browser shows (alt, placeholder, title,
aria-label, the confirm dialog's data-confirm).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

SHOWN_ATTRIBUTES = frozenset({"alt", "placeholder", "title", "aria-label", "data-confirm"})
HIDDEN_ELEMENTS = frozenset({"script", "style", "code"})
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
CHINESE_RUN = re.compile(r"[\u3400-\u9fff]+")
# Words that are the same in both languages, or name the other language on purpose.
NEUTRAL = frozenset({"English", "中文", "ODK", "Collect", "IP", "CSV", "ZIP", "XLSX"})
# Codes the server keeps that must never reach a page as they are.
RAW_CODES = (
    "village_cadre",
    "town_cadre",
    "county_admin",
    "town_reviewer",
    "village_committee",
    "department_viewer",
    "civil_affairs",
    "medical_security",
    "login_failed",
    "web_user_created",
    "app_user_created",
    "app_user_revoked",
    "app_user_rotated",
    "web_user_disabled",
    "password_changed",
    "web_user",
    "app_user",
    "None",
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str, *, data: Iterable[str] = ()) -> str:
    """The page's text as a person reads it, with each piece of `data` (names of people,
    areas and forms: the page shows them as they were entered) taken out."""
    reader = _Reader()
    reader.feed(html)
    text = "\n".join(reader.parts)
    for value in sorted(set(data), key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def latin_words(html: str, *, data: Iterable[str] = ()) -> set[str]:
    return set(LATIN_WORD.findall(visible_text(html, data=data))) - NEUTRAL


def chinese_runs(html: str, *, data: Iterable[str] = ()) -> set[str]:
    return set(CHINESE_RUN.findall(visible_text(html, data=data))) - NEUTRAL


def raw_codes(html: str) -> list[str]:
    text = visible_text(html)
    return [code for code in RAW_CODES if re.search(rf"\b{code}\b", text)]

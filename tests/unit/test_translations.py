"""Every page text written with gettext has its English in the catalog: `_("中文")` in the
templates, and `_()`/`gettext()`/`lazy_gettext()` (as `_l`) in Python (forms' labels, flashes,
the error pages' titles)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

SERVER = Path(__file__).resolve().parents[2] / "server"
CATALOG = SERVER / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


def _messages() -> set[tuple[str | None, str]]:
    """(context, text) of every gettext call (the context of `pgettext`, else None)."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(SERVER),
        method_map=[("**/templates/**.html", "jinja2.ext.babel_extract"), ("**.py", "python")],
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
        keywords=KEYWORDS,
    ):
        texts = [message] if isinstance(message, str) else [m for m in message if m]
        found.update((context, text) for text in texts)
    return found


def test_every_page_text_has_its_english():
    with CATALOG.open("rb") as po:
        english = {(m.context, m.id): m.string for m in read_po(po) if m.id}
    missing = sorted((c or "", m) for c, m in _messages() if not english.get((c, m)))
    assert not missing, (
        f"add the English of these to {CATALOG.relative_to(SERVER.parent)}: {missing}"
    )


def test_python_texts_are_found_too():
    messages = {text for _context, text in _messages()}
    assert "两次输入不一致" in messages  # server/auth/forms.py, lazy_gettext
    # two adjacent string literals read as one text
    rule = [m for m in messages if m.startswith("至少 %(count)s 个字符")]
    assert rule and rule[0].endswith("不能包含用户名")


def test_each_text_has_one_english():
    """Babel keeps one of two entries with the same id without a word: a merge of two blocks
    that both translate a text must choose one English (or give the texts a context)."""
    entries = re.findall(
        r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"$', CATALOG.read_text(encoding="utf-8"), re.MULTILINE
    )
    assert not [entry for entry, n in Counter(entries).items() if n > 1]

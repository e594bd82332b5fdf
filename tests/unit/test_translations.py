"""Every page text written with gettext (`_("中文")`) has its English in the catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

SERVER = Path(__file__).resolve().parents[2] / "server"
CATALOG = SERVER / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _template_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SERVER),
        method_map=[("**/templates/**.html", "jinja2.ext.babel_extract")],
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_every_page_text_has_its_english():
    with CATALOG.open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id}
    missing = sorted(m for m in _template_messages() if not english.get(m))
    assert not missing, (
        f"add the English of these to {CATALOG.relative_to(SERVER.parent)}: {missing}"
    )

"""How a code reads to a person: the one labels module (zh first, en on English pages).

Pure: lists of labels in, strings out. Two sources make up the labels a page, print, export or
report shows, and nothing else labels a code:
- the codes the server itself keeps (statuses, indicators, roles, approval steps, warning
  reasons…), in `core/data/labels.toml`;
- the answers of the forms, labelled by the forms' own choice lists, stored with each form
  version at publish (`forms.service.code_labels` merges them in; a form's list wins).
An unknown code reads as itself, so nothing is ever hidden by a missing label.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

LANGUAGES = ("zh", "en")
BAYOU = "bayou:"  # an 八有 item's indicator code: bayou:<item of the forms' list `bayou`>
# list name → code → {"zh": …, "en": …}
Lists = Mapping[str, Mapping[str, Mapping[str, str]]]


@dataclass(frozen=True)
class Labels:
    lists: Lists = field(default_factory=dict)

    def of(self, list_name: str, code: str | None, lang: str = "zh") -> str:
        if code is None or code == "":
            return ""
        labels = self.lists.get(list_name, {}).get(str(code))
        if not labels:
            return str(code)
        return labels.get(lang) or labels.get("zh") or str(code)

    def join(self, list_name: str, codes: Iterable[str] | None, lang: str = "zh") -> str:
        """Several codes (a select_multiple answer) as one text: 因病、因残."""
        return ("、" if lang == "zh" else ", ").join(
            self.of(list_name, code, lang) for code in (codes or ())
        )

    def indicator(self, code: str | None, lang: str = "zh") -> str:
        """An indicator code: `food` from the list `indicator`; an 八有 item `bayou:road` as
        八有：有路通自然村 (the group, then the item under the forms' own list `bayou`)."""
        if code and code.startswith(BAYOU) and code != f"{BAYOU}all":
            group = self.of("indicator_group", "bayou", lang)
            colon = "：" if lang == "zh" else ": "
            return f"{group}{colon}{self.of('bayou', code.removeprefix(BAYOU), lang)}"
        return self.of("indicator", code, lang)

    def options(self, list_name: str, lang: str = "zh") -> list[tuple[str, str]]:
        """(code, label) of a list in its own order: choices for a filter or a form."""
        return [(code, self.of(list_name, code, lang)) for code in self.lists.get(list_name, {})]

    def of_list(self, list_name: str, lang: str = "zh") -> dict[str, str]:
        return dict(self.options(list_name, lang))

    def with_lists(self, lists: Lists) -> Labels:
        """These labels with `lists` added; a list given here replaces one of the same name."""
        return Labels({**self.lists, **lists})


def parse_labels(text: str) -> Labels:
    """`[list] code = ["中文", "English"]` tables (core/data/labels.toml)."""
    data = tomllib.loads(text)
    return Labels(
        {
            name: {code: dict(zip(LANGUAGES, pair, strict=True)) for code, pair in items.items()}
            for name, items in data.items()
        }
    )


@cache
def vocabulary() -> Labels:
    """The server's own codes (read once from the package's data file)."""
    return parse_labels((files("server.core") / "data" / "labels.toml").read_text("utf-8"))

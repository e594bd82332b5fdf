"""Monitoring's codes and details in a person's words, in one language: the month, warning
reasons and visit-authenticity signals, for the pages (`monitoring.pages`) and the monthly
report (`exports.report`, in Chinese).

The rules write a reason's or a signal's detail as a short text with codes and numbers in it
(`indicator_regressed`: "food 2026-10-20"); `reason_text` and `signal_detail` read those texts
back and say them in words, as far as the viewer may read them (`Sight`: the access policy's
sections and indicators). A detail they cannot read is shown masked, as it is.

Pure (tests/unit/test_layering.py): labels, a language and a gettext in, strings out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from server.access.policy import Masker, indicator_codes, sections
from server.access.viewer import Viewer
from server.core.clock import Month
from server.core.labels import Labels
from server.core.numbers import count, money
from server.monitoring.rules import Flag, Reason

Gettext = Callable[..., str]  # flask_babel.gettext: (message, **values) → the page's language

ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def chinese(message: str, **values: object) -> str:
    """The gettext of a document in Chinese only (the monthly report): the message itself."""
    return message % values if values else message


@dataclass(frozen=True)
class Words:
    """Codes as words, and sentences, in one language."""

    labels: Labels
    lang: str
    gettext: Gettext

    def __call__(self, list_name: str, code: str | None) -> str:
        return self.labels.of(list_name, code, self.lang)

    def indicator(self, code: str | None) -> str:
        return self.labels.indicator(code, self.lang)

    def month(self, month: Month) -> str:
        """`2026年10月` / `October 2026`."""
        return month.zh if self.lang == "zh" else f"{ENGLISH_MONTHS[month.number - 1]} {month.year}"

    def join(self, items: Iterable[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(items)


_CODE_AND_DAY = re.compile(r"(\S+) (\d{4}-\d{2}-\d{2})")
_AMOUNTS = re.compile(r"(\S+) < (\S+)")
_EVENT = re.compile(r"#(\d+) (\d{4}-\d{2}-\d{2})")
_METRES = re.compile(r"(\d+) m")
_MINUTES = re.compile(r"(\d+(?:\.\d+)?) min")
_DEVICE = re.compile(r"(.+): (\d+)")
_SAME = re.compile(r"= #(\d+(?:, \d+)*) ?(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Sight:
    """What of a reason's detail a viewer may read (access.policy): the income with the
    `income` section, an indicator among its own (`indicator_codes`; None: every one)."""

    income: bool = True
    indicators: frozenset[str] | None = None

    def sees(self, indicator: str) -> bool:
        return self.indicators is None or indicator in self.indicators


EVERYTHING = Sight()


def sight_of(viewer: Viewer) -> Sight:
    return Sight("income" in sections(viewer), indicator_codes(viewer))


def reason_text(reason: Reason, words: Words, mask: Masker, sight: Sight = EVERYTHING) -> str:
    """A warning reason: its label, then its detail in words (an indicator by its label, an
    amount as money), as far as the viewer may read it."""
    detail = _reason_detail(reason, words, mask, sight)
    label = words("warning_reason", reason.code)
    return f"{label} {detail}" if detail else label


def _reason_detail(reason: Reason, words: Words, mask: Masker, sight: Sight) -> str:
    code, detail = reason.code, reason.detail
    if code == "indicator_not_met_twice" and detail and " " not in detail:
        return words.indicator(detail) if sight.sees(detail) else ""
    if code == "indicator_regressed" and (found := _CODE_AND_DAY.fullmatch(detail)):
        return f"{words.indicator(found[1])} {found[2]}" if sight.sees(found[1]) else found[2]
    if code == "income_below" and (found := _AMOUNTS.fullmatch(detail)):
        if not sight.income:
            return ""
        amounts = _money(found[1]), _money(found[2])
        if None not in amounts:
            return f"{amounts[0]} < {amounts[1]}"
    if code in ("event_open", "event_overdue") and (found := _EVENT.fullmatch(detail)):
        return words.gettext("#%(id)s，响应期限 %(date)s", id=found[1], date=found[2])
    return mask.text(detail)


def _money(text: str) -> str | None:
    try:
        return money(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def signal_detail(flag: Flag, words: Words, mask: Masker) -> str:
    """An authenticity signal's detail in words: how far, how short, who, which visits."""
    code, detail = flag.code, flag.detail
    if code == "gps_far" and (found := _METRES.fullmatch(detail)):
        return words.gettext("距住户 %(metres)s 米", metres=count(int(found[1])))
    if code == "too_short" and (found := _MINUTES.fullmatch(detail)):
        return words.gettext("%(minutes)s 分钟", minutes=found[1])
    if code == "absent_member" and " " in detail:
        name, why = detail.rsplit(" ", 1)
        return f"{name} {words('member_absence', why)}"
    if code == "device_burst" and (found := _DEVICE.fullmatch(detail)):
        return words.gettext("设备 %(device)s：%(count)s 次", device=found[1], count=found[2])
    if code in ("same_text", "same_photo") and (found := _SAME.fullmatch(detail)):
        visits = ", ".join(f"#{n}" for n in found[1].split(", "))
        if code == "same_text":
            return words.gettext(
                "与走访 %(visits)s 相同：%(text)s", visits=visits, text=mask.text(found[2])
            )
        return words.gettext("与走访 %(visits)s 相同", visits=visits)
    return mask.text(detail)

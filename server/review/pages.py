"""The list pages of the review workspace for one viewer — the submission queue, the households,
the approvals under way — as plain rows: codes under their labels in the page's language
(core.labels), areas by name, free text masked by the access policy.

No Flask and no queries: the view passes the rows, the labels, the language and the area
names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from server.access.policy import PAGE, acts_at, masker
from server.access.viewer import Viewer
from server.core.labels import Labels
from server.registry.facts import HouseholdSummary
from server.review.models import REVIEW_STATES, ApprovalCase
from server.review.service import FLAGS, FilterChoices, QueueRow

Options = tuple[tuple[str, str], ...]  # (code, label)


@dataclass(frozen=True, slots=True)
class QueueRowView:
    submission_id: int
    received_at: datetime
    form_title: str
    record: str  # the instance's name (masked), else the household code, else #id
    village: str
    household_type: str  # "—" when the submission names no known household
    state: str
    state_label: str
    flags: tuple[str, ...]  # labels


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRowView, ...]
    forms: Options
    towns: Options
    villages: Options
    states: Options
    types: Options
    flags: Options


def present_queue(
    rows: Sequence[QueueRow],
    choices: FilterChoices,
    *,
    viewer: Viewer,
    labels: Labels,
    lang: str,
    area_names: dict[str, str],
) -> QueuePage:
    mask = masker(viewer, PAGE)

    def flags(row: QueueRow) -> tuple[str, ...]:
        attention = ("needs_attention",) if row.processing_state == "needs_attention" else ()
        return tuple(labels.of("submission_flag", f, lang) for f in (*attention, *row.flags))

    return QueuePage(
        rows=tuple(
            QueueRowView(
                submission_id=r.submission_id,
                received_at=r.received_at,
                form_title=r.form_title,
                record=mask.text(r.instance_name or r.household_code) or f"#{r.submission_id}",
                village=area_names.get(r.village_code or "", r.village_code or "—"),
                household_type=labels.of("household_type", r.household_type, lang) or "—",
                state=r.state,
                state_label=labels.of("review_state", r.state, lang),
                flags=flags(r),
            )
            for r in rows
        ),
        forms=choices.forms,
        towns=choices.towns,
        villages=choices.villages,
        states=tuple((s, labels.of("review_state", s, lang)) for s in REVIEW_STATES),
        types=tuple(labels.options("household_type", lang)),
        flags=tuple((f, labels.of("submission_flag", f, lang)) for f in FLAGS),
    )


@dataclass(frozen=True, slots=True)
class HouseholdRowView:
    id: int  # the keyset of the next page
    code: str
    head_name: str
    village: str
    household_type: str
    member_count: int
    status: str
    status_label: str


def present_households(
    rows: Sequence[HouseholdSummary], *, labels: Labels, lang: str, area_names: dict[str, str]
) -> tuple[HouseholdRowView, ...]:
    return tuple(
        HouseholdRowView(
            h.id,
            h.code,
            h.head_name,
            area_names.get(h.village_code, h.village_code),
            labels.of("household_type", h.household_type, lang),
            h.member_count,
            h.status,
            labels.of("household_status", h.status, lang),
        )
        for h in rows
    )


def household_statuses(labels: Labels, lang: str) -> Options:
    return tuple(labels.options("household_status", lang))


@dataclass(frozen=True, slots=True)
class ApprovalRowView:
    household_code: str
    head_name: str
    village: str
    kind: str
    stage: str
    mine: bool  # waiting for the viewer's own level
    publicity_start: date | None
    publicity_end: date | None
    opened_at: datetime


def present_approvals(
    rows: Sequence[tuple[ApprovalCase, HouseholdSummary]],
    *,
    viewer: Viewer,
    labels: Labels,
    lang: str,
    area_names: dict[str, str],
) -> tuple[ApprovalRowView, ...]:
    return tuple(
        ApprovalRowView(
            h.code,
            h.head_name,
            area_names.get(c.village_code, c.village_code),
            labels.of("approval_kind", c.kind, lang),
            labels.of("approval_stage", c.stage, lang),
            acts_at(viewer, c.stage),
            c.publicity_start,
            c.publicity_end,
            c.opened_at,
        )
        for c, h in rows
    )

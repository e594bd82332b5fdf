"""The submission detail page for one viewer: a `SubmissionDetail` in, a `SubmissionPage` of
plain values out — labelled answers (masked through the access policy unless revealed),
thumbnails, GPS distances, the labelled diff between consecutive versions, the review comments.

No queries: the service loaded everything; the pure work is in display.py. Each version is
read once into its tree (ingest/instance.py); labels are the ones stored with the form version
at publish, and the towns and villages of the generated lists are named by the areas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from server.access.policy import PAGE, Masker, masker
from server.access.viewer import Viewer
from server.core.geo import distance_m, parse_geopoint
from server.core.labels import Labels
from server.ingest.instance import STORED_LIMITS, parse_instance
from server.review.display import Answer, Change, Section, Table, diff, flatten, layout
from server.review.service import SubmissionDetail

# Health details (PIPL art. 28 sensitive data, domain.md §8.1): hidden until a logged reveal.
HEALTH_FIELDS = frozenset(
    {"health", "disability_grade", "disability_cert_no", "medical_detail", "out_of_pocket_medical"}
)
# What the detail page's one reveal button asks to see (a reveal shows only what the viewer's
# sections allow: access.policy.masker).
REVEAL_ALL = frozenset({"ids", "health"})


@dataclass(frozen=True, slots=True)
class HouseholdLink:
    code: str
    head_name: str


@dataclass(frozen=True, slots=True)
class VersionChanges:
    instance_id: str
    received_at: datetime
    is_current: bool
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class CommentView:
    author: str
    created_at: datetime
    state: str | None
    state_label: str
    body: str


@dataclass(frozen=True, slots=True)
class SubmissionPage:
    submission_id: int
    version_id: int  # the current version's
    title: str  # the form's
    record: str  # the instance's name (masked), or #id
    state: str
    state_label: str
    received_at: datetime
    version_count: int
    household: HouseholdLink | None
    household_code: str | None  # as the phone sent it, when the registry has no such household
    needs_attention: bool
    attention_reason: str
    issues: tuple[str, ...]
    revealed: bool
    sections: tuple[Section, ...]
    distances: dict[str, float]  # geopoint path → metres from the household's location
    history: tuple[VersionChanges, ...]  # newest first; the first version has no changes
    files: frozenset[str]  # names of files that arrived
    comments: tuple[CommentView, ...]


def present(
    detail: SubmissionDetail,
    *,
    viewer: Viewer,
    revealed: bool,
    labels: Labels,
    lang: str,
    area_names: dict[str, str],
) -> SubmissionPage:
    mask = masker(viewer, PAGE, revealed=REVEAL_ALL if revealed else frozenset())
    schema = detail.form_version.schema
    # The generated lists (forms.service.DYNAMIC_MEDIA) list areas by code: name them.
    choices = {**schema.choice_labels(lang), "towns": area_names, "villages": area_names}
    current = detail.current
    sections = layout(parse_instance(current.xml, schema, STORED_LIMITS), schema, choices, lang)
    home = detail.household
    return SubmissionPage(
        submission_id=current.submission_id,
        version_id=current.id,
        title=detail.form.title,
        record=mask.text(current.instance_name) or f"#{current.submission_id}",
        state=detail.state,
        state_label=labels.of("review_state", detail.state, lang),
        received_at=current.received_at,
        version_count=len(detail.versions),
        household=HouseholdLink(home.code, home.head_name) if home else None,
        household_code=current.household_code,
        needs_attention=current.processing_state == "needs_attention",
        attention_reason=mask.text(current.attention_reason),
        issues=tuple(mask.text(i.message) for i in detail.issues),
        revealed=revealed,
        sections=tuple(_mask_section(s, mask) for s in sections),
        distances=_distances(sections, detail),
        history=_history(detail, mask, lang),
        files=frozenset(a.filename for a in current.attachments if not a.is_missing),
        comments=tuple(
            CommentView(
                c.author_name,
                c.created_at,
                c.state,
                labels.of("review_state", c.state, lang),
                mask.text(c.body),
            )
            for c in detail.comments
        ),
    )


def _distances(sections: tuple[Section, ...], detail: SubmissionDetail) -> dict[str, float]:
    """Metres from each geopoint answer to the household's recorded location (unmasked: only
    the distance is shown)."""
    home = detail.household
    if home is None or home.latitude is None or home.longitude is None:
        return {}
    distances = {}
    for answer in _answers(sections):
        point = parse_geopoint(answer.raw) if answer.kind == "geopoint" else None
        if point:
            distances[answer.path] = distance_m(
                point.latitude, point.longitude, home.latitude, home.longitude
            )
    return distances


def _history(detail: SubmissionDetail, mask: Masker, lang: str) -> tuple[VersionChanges, ...]:
    schema = detail.form_version.schema
    flat = [flatten(parse_instance(v.xml, schema, STORED_LIMITS), schema) for v in detail.versions]
    out = []
    for i, version in enumerate(detail.versions):
        changes = diff(flat[i - 1], flat[i], schema, lang) if i else []
        out.append(
            VersionChanges(
                version.instance_id,
                version.received_at,
                version.is_current,
                tuple(_mask_change(c, mask) for c in changes),
            )
        )
    return tuple(reversed(out))


def _mask_change(change: Change, mask: Masker) -> Change:
    if change.field in HEALTH_FIELDS and not mask.full_health:
        return Change(change.label, "", "", change.field, hidden=True)
    return Change(change.label, mask.text(change.old), mask.text(change.new), change.field)


def _mask_section(section: Section, mask: Masker) -> Section:
    items = tuple(
        Table(
            i.path, i.label, i.columns, tuple(tuple(_mask(a, mask) for a in row) for row in i.rows)
        )
        if isinstance(i, Table)
        else _mask(i, mask)
        for i in section.items
    )
    return Section(section.label, items)


def _mask(answer: Answer | None, mask: Masker) -> Answer | None:
    if answer is None or answer.kind == "binary":
        return answer
    if answer.kind == "geopoint":  # the home's GPS: about 1 km until a reveal
        if mask.full_ids:
            return answer
        return replace(answer, value=mask.geopoint(answer.raw), raw=mask.geopoint(answer.raw))
    if answer.path.rsplit("/", 1)[-1] in HEALTH_FIELDS and not mask.full_health:
        return replace(answer, value="", raw="", hidden=True)
    return replace(
        answer,
        label=mask.text(answer.label),  # a label may show another answer
        value=mask.text(answer.value),
        raw=mask.text(answer.raw),
    )


def _answers(sections: tuple[Section, ...]) -> Iterator[Answer]:
    for section in sections:
        for item in section.items:
            if isinstance(item, Table):
                yield from (a for row in item.rows for a in row if a is not None)
            else:
                yield item

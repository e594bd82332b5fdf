"""Turn a `SubmissionDetail` into what the page shows: labelled answers (masked unless
revealed), thumbnails, GPS distances and the labelled diff between consecutive versions.
No queries: the service loaded everything; the pure work is in display.py. Each version is
read once into its tree (ingest/instance.py); labels are the ones stored with the form
version at publish, and the towns and villages of the generated lists are named by the
areas."""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.access.masks import text as mask_text
from server.core.geo import distance_m, parse_geopoint
from server.ingest.instance import STORED_LIMITS, parse_instance
from server.ingest.models import SubmissionVersion
from server.review.display import Answer, Change, Section, Table, diff, flatten, layout
from server.review.service import SubmissionDetail

# Health details (PIPL art. 28 sensitive data, domain.md §8.1): hidden until a logged reveal.
HEALTH_FIELDS = frozenset(
    {"health", "disability_grade", "disability_cert_no", "medical_detail", "out_of_pocket_medical"}
)
HIDDEN = "（已隐藏 hidden）"


@dataclass(frozen=True, slots=True)
class VersionChanges:
    version: SubmissionVersion
    changes: list[Change]


@dataclass(frozen=True, slots=True)
class SubmissionView:
    sections: tuple[Section, ...]
    distances: dict[str, float]  # geopoint path → metres from the household's location
    history: list[VersionChanges]  # newest first; the first version has no changes
    files: set[str]  # names of files that arrived


def present(
    detail: SubmissionDetail, *, lang: str, revealed: bool, area_names: dict[str, str]
) -> SubmissionView:
    schema = detail.form_version.schema
    # The generated lists (forms.service.DYNAMIC_MEDIA) list areas by code: name them.
    choices = {**schema.choice_labels(lang), "towns": area_names, "villages": area_names}
    tree = parse_instance(detail.current.xml, schema, STORED_LIMITS)
    sections = layout(tree, schema, choices, lang)
    if not revealed:
        sections = tuple(_mask_section(s) for s in sections)
    home = detail.household
    distances = {}
    for answer in _answers(sections):
        point = parse_geopoint(answer.raw) if answer.kind == "geopoint" else None
        if point and home and home.latitude is not None and home.longitude is not None:
            distances[answer.path] = distance_m(
                point.latitude, point.longitude, home.latitude, home.longitude
            )
    files = {a.filename for a in detail.current.attachments if not a.is_missing}
    return SubmissionView(sections, distances, _history(detail, revealed, lang), files)


def _history(detail: SubmissionDetail, revealed: bool, lang: str) -> list[VersionChanges]:
    schema = detail.form_version.schema
    flat = [flatten(parse_instance(v.xml, schema, STORED_LIMITS), schema) for v in detail.versions]
    out = [VersionChanges(detail.versions[0], [])]
    for i in range(1, len(flat)):
        changes = diff(flat[i - 1], flat[i], schema, lang)
        if not revealed:
            changes = [_mask_change(c) for c in changes]
        out.append(VersionChanges(detail.versions[i], changes))
    return list(reversed(out))


def _mask_change(change: Change) -> Change:
    if change.field in HEALTH_FIELDS:
        return Change(change.label, HIDDEN, HIDDEN, change.field)
    return Change(change.label, mask_text(change.old), mask_text(change.new), change.field)


def _mask_section(section: Section) -> Section:
    items = tuple(
        Table(i.path, i.label, i.columns, tuple(tuple(_mask(a) for a in row) for row in i.rows))
        if isinstance(i, Table)
        else _mask(i)
        for i in section.items
    )
    return Section(section.label, items)


def _mask(answer: Answer | None):  # type: ignore[no-untyped-def]
    if answer is None or answer.kind in {"binary", "geopoint"}:
        return answer
    if answer.path.rsplit("/", 1)[-1] in HEALTH_FIELDS:
        return replace(answer, value=HIDDEN, raw=HIDDEN)
    return replace(
        answer,
        label=mask_text(answer.label),  # a label may show another answer
        value=mask_text(answer.value),
        raw=mask_text(answer.raw),
    )


def _answers(sections: tuple[Section, ...]):  # type: ignore[no-untyped-def]
    for section in sections:
        for item in section.items:
            if isinstance(item, Table):
                yield from (a for row in item.rows for a in row if a is not None)
            else:
                yield item

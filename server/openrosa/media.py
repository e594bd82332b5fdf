"""Form media as one app user sees them: stored attachments, plus the lists generated per user.

The household, village and town lists are generated from the registry for the user's own area
on each request, so a phone only ever receives the rows its cadre may see, and the MD5 in the
manifest is the MD5 of exactly the bytes the download returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.areas.service import list_towns_in_scope, list_villages_in_scope
from server.auth.models import AppUser
from server.forms.compile import md5_hex
from server.forms.errors import UnknownMedia
from server.forms.models import FormVersion
from server.forms.service import DYNAMIC_MEDIA
from server.registry import phone_lists
from server.registry.models import HOUSEHOLD_TYPE_LABELS
from server.registry.service import list_households_in_villages


@dataclass(frozen=True, slots=True)
class MediaFile:
    filename: str
    content: bytes
    md5: str
    content_type: str


def list_media(
    session: Session, user: AppUser, version: FormVersion, *, year: int
) -> list[MediaFile]:
    return [get_media(session, user, version, name, year=year) for name in version.schema.media]


def get_media(
    session: Session, user: AppUser, version: FormVersion, filename: str, *, year: int
) -> MediaFile:
    if filename not in version.schema.media:
        raise UnknownMedia(f"表单没有媒体文件 {filename} / the form has no media file {filename}")
    if filename in DYNAMIC_MEDIA:
        content = _GENERATORS[filename](session, user, year)
        return MediaFile(filename, content, md5_hex(content), "text/csv; charset=utf-8")
    stored = next(a for a in version.attachments if a.filename == filename)
    return MediaFile(filename, stored.content, stored.md5, stored.content_type)


def _towns(session: Session, user: AppUser, year: int) -> bytes:
    towns = list_towns_in_scope(session, user.area_code, year=year)
    return phone_lists.towns_csv(phone_lists.PlaceRow(t.code, t.name, t.parent_code) for t in towns)


def _villages(session: Session, user: AppUser, year: int) -> bytes:
    villages = list_villages_in_scope(session, user.area_code, year=year)
    return phone_lists.villages_csv(
        phone_lists.PlaceRow(v.code, v.name, v.parent_code) for v in villages
    )


def _households(session: Session, user: AppUser, year: int) -> bytes:
    villages = list_villages_in_scope(session, user.area_code, year=year)
    households = list_households_in_villages(session, (v.code for v in villages))
    return phone_lists.households_csv(
        phone_lists.HouseholdRow(
            code=h.code,
            village_code=h.village_code,
            head_name=h.head_name,
            household_type=h.household_type,
            household_type_label=HOUSEHOLD_TYPE_LABELS[h.household_type],
            household_kind=h.household_kind,
            archive_no=h.archive_no,
            member_count=h.member_count,
            phone=h.head_phone,
            last_visit_on=h.last_visit_on,
        )
        for h in households
    )


_GENERATORS: dict[str, Callable[[Session, AppUser, int], bytes]] = {
    "towns.csv": _towns,
    "villages.csv": _villages,
    "households.csv": _households,
}
assert set(_GENERATORS) == DYNAMIC_MEDIA  # noqa: S101 - a wiring invariant checked at import

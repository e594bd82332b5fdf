"""Form media as one app user sees them: stored attachments, plus the lists generated per user.

The household, village and town lists are generated from the registry for the user's own area,
so a phone only ever receives the rows its cadre may see, and the MD5 in the manifest is the
MD5 of exactly the bytes the download returns. A manifest builds each list once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from server.access.policy import PHONE_LIST, masker
from server.access.sql import list_towns, list_villages
from server.access.viewer import phone_viewer
from server.areas.models import Area
from server.auth.service import PhoneUser
from server.forms.compile import md5_hex
from server.forms.errors import UnknownMedia
from server.forms.models import FormVersion
from server.forms.service import DYNAMIC_MEDIA, get_attachment
from server.registry import phone_lists
from server.registry.service import list_household_rows

CSV = "text/csv; charset=utf-8"


@dataclass(frozen=True, slots=True)
class MediaFile:
    filename: str
    md5: str
    content_type: str
    content: bytes | None = None  # None in manifests of stored files: only the hash is needed


class PhoneLists:
    """The generated lists for one user, each built at most once."""

    def __init__(self, session: Session, user: PhoneUser, year: int) -> None:
        self._session, self._viewer, self._year = session, phone_viewer(user), year

    @cached_property
    def _villages(self) -> list[Area]:
        return list(list_villages(self._session, self._viewer, year=self._year))

    def build(self, filename: str) -> bytes:
        if filename == "towns.csv":
            towns = list_towns(self._session, self._viewer, year=self._year)
            return phone_lists.towns_csv(_places(towns))
        if filename == "villages.csv":
            return phone_lists.villages_csv(_places(self._villages))
        rows = list_household_rows(self._session, [v.code for v in self._villages])
        return phone_lists.households_csv(rows, masker(self._viewer, PHONE_LIST))


def _places(areas: Iterable[Area]) -> list[phone_lists.PlaceRow]:
    return [phone_lists.PlaceRow(a.code, a.name, a.parent_code) for a in areas]


def list_media(
    session: Session, user: PhoneUser, version: FormVersion, *, year: int
) -> list[MediaFile]:
    """Every media file of the version with its MD5 (the manifest)."""
    lists = PhoneLists(session, user, year)
    stored = {a.filename: a for a in version.attachments}
    files = []
    for name in version.media_files:
        if name in DYNAMIC_MEDIA:
            content = lists.build(name)
            files.append(MediaFile(name, md5_hex(content), CSV, content))
        else:
            files.append(MediaFile(name, stored[name].md5, stored[name].content_type))
    return files


def get_media(
    session: Session, user: PhoneUser, version: FormVersion, filename: str, *, year: int
) -> MediaFile:
    if filename not in version.media_files:
        raise UnknownMedia(f"表单没有媒体文件 {filename} / the form has no media file {filename}")
    if filename in DYNAMIC_MEDIA:
        content = PhoneLists(session, user, year).build(filename)
        return MediaFile(filename, md5_hex(content), CSV, content)
    stored = get_attachment(session, version, filename)
    return MediaFile(filename, stored.md5, stored.content_type, stored.content)

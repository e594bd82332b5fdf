"""Printing use-cases: who may print what, archive numbers, and the print data of each document.

Never commits (issuing an archive number writes; the caller commits). Registry rows are dumped
through `printing.schemas` and handed to the pure builders in `printing.documents`; the
result is a `PrintJob` that `printing.render` turns into a PDF.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.access.policy import covers, permits, town_of
from server.access.viewer import OPERATOR, Viewer, web_viewer
from server.areas.models import Area
from server.audit.service import record
from server.auth.models import WebUser
from server.core import clock
from server.core.clock import Month
from server.core.errors import AccessDenied, BadArgument, DomainError, NotFound
from server.forms.service import code_labels
from server.ingest.models import Blob, SubmissionAttachment
from server.monitoring.household import visit_tallies
from server.monitoring.rules import VisitTally
from server.printing import documents, schemas
from server.printing.digest import content_digest, verification
from server.printing.models import ArchiveNumber
from server.registry.facts import IdentificationFiles
from server.registry.models import (
    AssistanceMeasure,
    Household,
    IndicatorObservation,
    MajorEvent,
    Visit,
)
from server.registry.queries import (
    find_household,
    find_visible_household,
    get_household_record,
)

KIND_TITLES = {"household": "户档案", "work-form": "帮扶工作表", "event": "重大变故事项报告单"}


class RecordNotFound(NotFound):
    code = "printing.not_found"


class InvalidMonth(DomainError):
    status = 404
    code = "printing.invalid_month"


@dataclass(frozen=True)
class PrintJob:
    template: str
    context: dict[str, Any]
    title: str
    filename: str  # Chinese, for Content-Disposition filename*
    ascii_filename: str
    attachments: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyResult:
    kind_title: str
    ident: str
    matches: bool


# --- access and lookups ------------------------------------------------------------------------


class PrintingUser(Protocol):
    id: int
    username: str
    role: str
    area_code: str | None
    department: str | None


def viewer_of(user: PrintingUser | None) -> Viewer:
    """`user` None is the operator at the command line."""
    return OPERATOR if user is None else web_viewer(user)


def _require_print(viewer: Viewer) -> None:
    """Prints are for the area roles (they carry every section of a record, full ID numbers on
    the archive record): department viewers get 403."""
    if not permits(viewer, "print"):
        raise AccessDenied(
            "部门查看账号不能打印档案（含全部内容与完整身份证号）/ department viewers may not "
            "print archive records (they show every section and full ID numbers)"
        )


def check_access(user: PrintingUser | None, village_code: str) -> None:
    """May `user` print a record of this village? A village outside the user's area is a 404,
    as everywhere in the workspace, so record codes cannot be probed."""
    viewer = viewer_of(user)
    _require_print(viewer)
    if not covers(viewer, village_code):
        raise RecordNotFound(f"找不到 {village_code} 的档案 / no such record in your area")


def get_printable_household(session: Session, viewer: Viewer, code: str) -> Household:
    """The household a viewer prints: 403 for a department viewer; 404 when there is none with
    this code in the viewer's reach (the registry's one visibility rule)."""
    _require_print(viewer)
    household = find_visible_household(session, viewer, code, today=clock.today())
    if household is None:
        raise RecordNotFound(f"找不到农户 {code} / no household {code} in your area")
    return household


def get_household(session: Session, code: str) -> Household:
    """Any household by code (the public verify page, which shows no personal data)."""
    household = find_household(session, code)
    if household is None:
        raise RecordNotFound(f"找不到农户 {code} / no household {code}")
    return household


def check_month(month: str) -> Month:
    """The month of a print's path: a 404 (InvalidMonth) if it is not one."""
    try:
        return Month.parse(month)
    except BadArgument as err:
        raise InvalidMonth(err.message) from err


def area_names(session: Session, village_code: str) -> dict[str, str]:
    codes = {
        "county_name": village_code[:6] + "000000",
        "town_name": town_of(village_code),
        "village_name": village_code,
    }
    rows = session.execute(
        select(Area.code, Area.name)
        .where(Area.code.in_([*codes.values(), village_code[:6]]))
        .order_by(Area.valid_from)
    )
    names = {row[0]: row[1] for row in rows}  # ordered by year: the newest name wins
    names.setdefault(codes["county_name"], names.get(village_code[:6], ""))
    return {"village_code": village_code, **{k: names.get(c, "") for k, c in codes.items()}}


# --- archive numbers (档号) ---------------------------------------------------------------------


def issue_archive_number(session: Session, household: Household) -> str:
    """The household's 档号, issued when the county confirms its inclusion (review.approval)
    and never changed afterwards. Printing only shows it: a GET must not change state."""
    if household.archive_no:
        return household.archive_no
    year = (household.identified_on or clock.today()).year
    for _attempt in range(5):
        taken = session.scalar(
            select(func.max(ArchiveNumber.sequence)).where(
                ArchiveNumber.village_code == household.village_code, ArchiveNumber.year == year
            )
        )
        sequence = (taken or 0) + 1
        number = f"{household.village_code}-{year}-{sequence:04d}"
        try:
            with session.begin_nested():
                session.add(
                    ArchiveNumber(
                        household_id=household.id,
                        village_code=household.village_code,
                        year=year,
                        sequence=sequence,
                        number=number,
                    )
                )
        except IntegrityError:
            continue  # another printer took this sequence at the same moment: take the next
        household.archive_no = number
        session.flush()
        return number
    raise DomainError("档号分配冲突，请重试 / could not issue an archive number, try again")


# --- attachments -------------------------------------------------------------------------------


def _attachment_index(session: Session, version_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            SubmissionAttachment.version_id,
            SubmissionAttachment.filename,
            SubmissionAttachment.blob_sha256,
        ).where(SubmissionAttachment.version_id.in_(ids))
    )
    return {(v, name): sha for v, name, sha in rows if sha}


def _ref(index: dict[tuple[int, str], str], version_id: int | None, name: str | None) -> Any:
    if not name:
        return None
    return {"name": name, "sha256": index.get((version_id or 0, name))}


def load_blobs(session: Session, shas: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    wanted = sorted(set(shas))
    for start in range(0, len(wanted), 50):
        rows = session.execute(
            select(Blob.sha256, Blob.content).where(Blob.sha256.in_(wanted[start : start + 50]))
        )
        yield from ((row[0], row[1]) for row in rows)


def image_shas(data: Any) -> set[str]:
    """Every `attachment:<kind>/<sha>` the print data names."""
    found: set[str] = set()
    if isinstance(data, dict):
        src = data.get("src")
        if isinstance(src, str) and src.startswith("attachment:"):
            found.add(src.rsplit("/", 1)[1])
        for value in data.values():
            found |= image_shas(value)
    elif isinstance(data, list | tuple):
        for value in data:
            found |= image_shas(value)
    return found


# --- household archive record ------------------------------------------------------------------


def household_archive_data(
    session: Session, viewer: Viewer, household: Household, base_url: str
) -> dict:
    """The archive record of a household the viewer may print. Its members, helpers, measures
    and events are the registry's record of it (registry.queries), as the household page's."""
    record = get_household_record(session, viewer, household.code, today=clock.today())
    if record is None:  # the caller found it in the viewer's reach: only a race gets here
        raise RecordNotFound(f"找不到农户 {household.code} / no household {household.code}")
    hid = household.id
    visits = list(session.scalars(select(Visit).where(Visit.household_id == hid)))
    house_photo, head_signature = _identification_refs(session, record.identification_files)
    data = documents.household_archive(
        schemas.household_out.dump(household),
        area=area_names(session, household.village_code),
        members=schemas.member_out.dump(record.members, many=True),
        # on paper in the order they happened (the registry lists them as recorded)
        helpers=schemas.helper_out.dump(
            sorted(record.helpers, key=lambda h: h.started_on or date.min), many=True
        ),
        measures=schemas.measure_out.dump(
            sorted(record.measures, key=lambda m: m.recorded_on or date.min), many=True
        ),
        visits=schemas.visit_out.dump(visits, many=True),
        tallies=_monthly_tallies(session, hid, [v.visited_on for v in visits if v.visited_on]),
        events=schemas.event_out.dump(record.events, many=True),
        house_photo=house_photo,
        head_signature=head_signature,
        labels=code_labels(session),
    )
    return data | {
        "verify": verification(data, kind="household", ident=household.code, base_url=base_url)
    }


def _monthly_tallies(
    session: Session, household_id: int, days: list[date]
) -> dict[str, VisitTally]:
    """Each month from the first visit to the last (a month without one included: it is the
    month that owed most), counted by the monitoring rule."""
    if not days:
        return {}
    months, month = [], Month.of(min(days))
    while month <= Month.of(max(days)):
        months.append(month.first)
        month = month.next()
    tallies = visit_tallies(session, [household_id], months)
    return {f"{m:%Y-%m}": tally for (_, m), tally in tallies.items()}


def _identification_refs(session: Session, files: IdentificationFiles | None) -> tuple[Any, Any]:
    """The house photo and head signature the identification named, with their stored files."""
    if files is None:
        return None, None
    index = _attachment_index(session, [files.version_id])
    version = files.version_id
    return _ref(index, version, files.house_photo), _ref(index, version, files.head_signature)


def _audit_print(
    session: Session,
    user: PrintingUser | None,
    document: str,
    ident: str | int,
    village: str,
    operator: str | None,
) -> None:
    """Every print is an export of personal data (the archive record shows full ID numbers).
    `user` None is the operator at the command line, named by `operator`."""
    record(
        session,
        user if isinstance(user, WebUser) else None,
        "print_archive",
        object_kind=document,
        object_id=ident,
        area_code=village,
        username=None if isinstance(user, WebUser) else operator,
    )


def print_household_archive(
    session: Session,
    *,
    user: PrintingUser | None,
    code: str,
    base_url: str,
    operator: str | None = None,
) -> PrintJob:
    viewer = viewer_of(user)
    household = get_printable_household(session, viewer, code)
    _audit_print(session, user, "household_archive", code, household.village_code, operator)
    data = household_archive_data(session, viewer, household, base_url)
    return _job(
        session,
        "household_archive.html",
        {"record": data},
        data,
        f"户档案-{household.head_name}-{household.code}.pdf",
        f"household-archive-{household.code}.pdf",
    )


def _job(
    session: Session, template: str, context: dict, data: dict, name: str, ascii_name: str
) -> PrintJob:
    area = data["area"]
    context = context | {
        "title": data["title"],
        "author": f"{area['place']}村民委员会",
        "keywords": " ".join(
            x for x in (area["place"], data.get("month", ""), data["archive_no"]) if x
        ),
    }
    return PrintJob(
        template=template,
        context=context,
        title=data["title"],
        filename=name,
        ascii_filename=ascii_name,
        attachments=dict(load_blobs(session, image_shas(data))),
    )


# --- monthly work form -------------------------------------------------------------------------


def work_forms_data(
    session: Session, households: list[Household], month: str, base_url: str
) -> list[dict]:
    """One work form per household for the month, in the given order (3 queries in all)."""
    period = check_month(month)
    first, last = period.first, period.last
    ids = [h.id for h in households]
    visits = (
        list(
            session.scalars(
                select(Visit).where(
                    Visit.household_id.in_(ids), Visit.visited_on >= first, Visit.visited_on <= last
                )
            )
        )
        if ids
        else []
    )
    visit_ids = [v.id for v in visits]
    per_visit: dict[int, dict[str, list]] = defaultdict(lambda: {"indicators": [], "measures": []})
    if visit_ids:
        for row in session.scalars(
            select(IndicatorObservation)
            .where(IndicatorObservation.visit_id.in_(visit_ids))
            .order_by(IndicatorObservation.id)
        ):
            per_visit[row.visit_id or 0]["indicators"].append(schemas.indicator_out.dump(row))
        for row in session.scalars(
            select(AssistanceMeasure)
            .where(AssistanceMeasure.visit_id.in_(visit_ids))
            .order_by(AssistanceMeasure.id)
        ):
            per_visit[row.visit_id or 0]["measures"].append(schemas.measure_out.dump(row))
    index = _attachment_index(session, [v.source_version_id for v in visits])
    by_household: dict[int, list[dict]] = defaultdict(list)
    for visit in visits:
        by_household[visit.household_id].append(_visit_record(visit, per_visit[visit.id], index))
    area = area_names(session, households[0].village_code) if households else {}
    labels = code_labels(session)
    tallies = visit_tallies(session, ids, [first])
    forms = []
    for household in households:
        data = documents.work_form(
            schemas.household_out.dump(household),
            area=area
            if area.get("village_code") == household.village_code
            else area_names(session, household.village_code),
            month=month,
            visits=by_household[household.id],
            # No tally: no settings in force that month, so nothing was owed.
            tally=tallies.get((household.id, first))
            or VisitTally(len(by_household[household.id]), 0),
            labels=labels,
        )
        ident = f"{household.code}_{month}"
        forms.append(
            data | {"verify": verification(data, kind="work-form", ident=ident, base_url=base_url)}
        )
    return forms


def _visit_record(visit: Visit, extra: dict, index: dict) -> dict:
    record = schemas.visit_out.dump(visit) | extra
    files = visit.files or {}
    version = visit.source_version_id
    record["photos"] = [_ref(index, version, name) for name in files.get("photos") or []]
    record["member_signature"] = _ref(index, version, files.get("member_signature"))
    record["visitor_signature"] = _ref(index, version, files.get("visitor_signature"))
    return record


def print_work_form(
    session: Session,
    *,
    user: PrintingUser | None,
    code: str,
    month: str,
    base_url: str,
    operator: str | None = None,
) -> PrintJob:
    check_month(month)
    household = get_printable_household(session, viewer_of(user), code)
    _audit_print(session, user, "work_form", f"{code} {month}", household.village_code, operator)
    data = work_forms_data(session, [household], month, base_url)[0]
    return _job(
        session,
        "work_form.html",
        {"form": data},
        data,
        f"帮扶工作表-{household.head_name}-{month}.pdf",
        f"work-form-{household.code}-{month}.pdf",
    )


# --- major-event report ------------------------------------------------------------------------


def event_report_data(session: Session, event: MajorEvent, base_url: str) -> dict:
    household = _household_of(session, event)
    record = schemas.event_out.dump(event)
    index = _attachment_index(session, [event.source_version_id])
    record["photo"] = _ref(index, event.source_version_id, (event.details or {}).get("photo"))
    data = documents.event_report(
        schemas.household_out.dump(household),
        record,
        area=area_names(session, household.village_code),
        labels=code_labels(session),
    )
    return data | {
        "verify": verification(data, kind="event", ident=str(event.id), base_url=base_url)
    }


def _household_of(session: Session, event: MajorEvent) -> Household:
    household = session.get(Household, event.household_id)
    if household is None:  # a foreign key prevents it; say so plainly if it ever happens
        raise RecordNotFound(
            f"重大变故报告 {event.id} 没有农户 / event {event.id} has no household"
        )
    return household


def print_event_report(
    session: Session,
    *,
    user: PrintingUser | None,
    event_id: int,
    base_url: str,
    operator: str | None = None,
) -> PrintJob:
    event = session.get(MajorEvent, event_id)
    if event is None:
        raise RecordNotFound(f"找不到重大变故报告 {event_id} / no major-event report {event_id}")
    household = _household_of(session, event)
    check_access(user, household.village_code)
    _audit_print(session, user, "event_report", event_id, household.village_code, operator)
    data = event_report_data(session, event, base_url)
    return _job(
        session,
        "event_report.html",
        {"report": data},
        data,
        f"重大变故事项报告单-{household.head_name}-{event.id}.pdf",
        f"event-report-{event.id}.pdf",
    )


# --- village binder ----------------------------------------------------------------------------


def binder_households(
    session: Session,
    *,
    user: PrintingUser | None,
    village_code: str,
    month: str,
    operator: str | None = None,
) -> list[Household]:
    """The households a village's binder holds, in archive order."""
    check_month(month)
    check_access(user, village_code)
    if not session.scalar(
        select(Area.id).where(Area.code == village_code, Area.level == "village")
    ):
        raise RecordNotFound(f"找不到行政村 {village_code} / no village {village_code}")
    binder = f"{village_code} {month}"
    _audit_print(session, user, "village_binder", binder, village_code, operator)
    households = list(
        session.scalars(
            select(Household)
            .where(Household.village_code == village_code, Household.status != "rejected")
            .order_by(Household.code)
        )
    )
    return households


# --- verification ------------------------------------------------------------------------------


def verify(session: Session, *, kind: str, ident: str, digest: str, base_url: str) -> VerifyResult:
    """Does a printed digest match the record as it is now? Shows no personal data."""
    if kind not in KIND_TITLES:
        raise RecordNotFound(f"未知的档案类型 {kind} / unknown record kind")
    if kind == "household":
        # The digest is of the whole record, as the area roles print it.
        household = get_household(session, ident)
        data = household_archive_data(session, OPERATOR, household, base_url)
    elif kind == "work-form":
        code, _, month = ident.rpartition("_")
        check_month(month)
        data = work_forms_data(session, [get_household(session, code)], month, base_url)[0]
    else:
        event = session.get(MajorEvent, int(ident)) if ident.isdigit() else None
        if event is None:
            raise RecordNotFound(f"找不到重大变故报告 {ident} / no major-event report {ident}")
        data = event_report_data(session, event, base_url)
    return VerifyResult(KIND_TITLES[kind], ident, content_digest(data) == digest)


@dataclass(frozen=True)
class BinderJob:
    cover: dict[str, Any]
    forms: list[dict[str, Any]]
    meta: dict[str, str]
    image_shas: set[str]
    filename: str
    ascii_filename: str


def prepare_binder(
    session: Session,
    *,
    user: PrintingUser | None,
    village_code: str,
    month: str,
    base_url: str,
    operator: str | None = None,
) -> BinderJob:
    """Everything the binder prints, built before rendering starts (archive numbers issued)."""
    households = binder_households(
        session, user=user, village_code=village_code, month=month, operator=operator
    )
    forms = work_forms_data(session, households, month, base_url)
    area = area_names(session, village_code)
    cover = documents.binder_cover(area, month=month, forms=forms)
    place = documents.place(area)
    return BinderJob(
        cover=cover,
        forms=forms,
        meta={
            "title": cover["title"],
            "author": f"{place}村民委员会",
            "keywords": f"{place} {month} 帮扶工作表",
        },
        image_shas=image_shas(forms),
        filename=f"帮扶工作表汇编-{area['village_name'] or village_code}-{month}.pdf",
        ascii_filename=f"binder-{village_code}-{month}.pdf",
    )

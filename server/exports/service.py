"""Stream registry tables and submissions out of the database, filtered and masked.

Every table is one streamed query (`yield_per`: a server-side cursor on PostgreSQL, the lazy
cursor on SQLite), rendered row by row, so an export of a million rows never holds them all.
Submissions are flattened from the tree of their current version's verbatim XML (read with
the newest form version's schema); a form with repeats is read once per table (the main table,
then each repeat) rather than buffering rows.
Never commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from server.access.policy import Masker, Scope
from server.access.sql import village_in_scope
from server.audit.service import record
from server.auth.models import AppUser, WebUser
from server.core.clock import china_midnight
from server.core.errors import DomainError
from server.exports import tables as t
from server.forms.models import Form, FormVersion
from server.forms.xform import is_form_id
from server.ingest.instance import STORED_LIMITS, parse_instance
from server.ingest.models import SubmissionVersion
from server.registry.models import (
    AssistanceMeasure,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Person,
    Visit,
)

BATCH = 5000
# A table is a spec and its rows in batches (each a sequence of rows in the spec's order).
Batches = Iterator[Sequence[Any]]


class UnknownForm(DomainError):
    status = 404
    code = "unknown_form"


@dataclass(frozen=True)
class ExportFilter:
    # The villages exported: the viewer's scope, narrowed to an area it asked for
    # (access.policy.narrowed); `area_code` is that area, for the audit log.
    scope: Scope
    masker: Masker  # how personal data looks to this viewer in an export (access.policy)
    area_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # A department viewer's duty over households (registry/queries.concerns_duty); None: the
    # whole area. Every registry table keeps only the rows of those households.
    duty: ColumnElement[bool] | None = None

    @property
    def masked(self) -> bool:
        return not self.masker.full_ids


def _batches(session: Session, stmt) -> Iterator[Sequence[Any]]:  # type: ignore[no-untyped-def]
    """Rows in batches of BATCH, as the cursor returns them (server-side on PostgreSQL). A
    download stopped midway (the client went away) closes the cursor at once."""
    streamed = stmt.execution_options(stream_results=True, yield_per=BATCH)
    with session.connection().execute(streamed) as result:
        yield from result.partitions()


def _rendered(spec: t.TableSpec, batches: Iterator[Sequence[Any]], masker: Masker) -> Batches:
    """Each batch with its sensitive columns masked by the access policy's masks; the query
    selects the columns in the spec's order, so a batch with nothing to mask (a viewer who may
    see it all) goes to the writer as it came."""
    if masker.full_ids or all(c.sensitive is None for c in spec.columns):
        yield from batches
        return
    render = t.row_renderer(spec, masker)
    for batch in batches:
        yield [render(row) for row in batch]


def _between(column, f: ExportFilter):  # type: ignore[no-untyped-def]
    clauses = []
    if f.date_from:
        clauses.append(column >= f.date_from)
    if f.date_to:
        clauses.append(column <= f.date_to)
    return clauses


def _raw(column):  # type: ignore[no-untyped-def]
    """Dates and times as the database returns them: SQLite's ISO text needs no parsing only to
    be written back as text (PostgreSQL's driver returns typed values either way)."""
    return type_coerce(column, String).label(column.key)


def _scope(f: ExportFilter):  # type: ignore[no-untyped-def]
    in_area = village_in_scope(Household.village_code, f.scope)
    return in_area if f.duty is None else and_(in_area, f.duty)


# ---------------------------------------------------------------------------------------------
# Registry


def registry_queries(f: ExportFilter) -> list[tuple[t.TableSpec, Any]]:
    """The statement behind each registry table (also counted for progress bars)."""
    households = (
        select(
            Household.code,
            Household.village_code,
            Household.head_name,
            Household.head_id_number,
            Household.head_phone,
            Household.household_type,
            Household.household_kind,
            Household.status,
            Household.member_count,
            Household.per_capita_net_income,
            _raw(Household.identified_on),
            Household.main_risk,
            Household.latitude,
            Household.longitude,
        )
        .where(_scope(f))
        .order_by(Household.id)
    )
    members = (
        select(
            Household.code.label("household_code"),
            Membership.position,
            Person.name,
            Person.id_number,
            Membership.relation,
            Person.sex,
            _raw(Person.birth_date),
        )
        .join(Membership, Membership.household_id == Household.id)
        .join(Person, Person.id == Membership.person_id)
        .where(_scope(f), Membership.ended_at.is_(None))
        .order_by(Household.id, Membership.position)
    )
    visits = (
        select(
            Visit.id,
            Household.code.label("household_code"),
            Household.village_code,
            _raw(Visit.visited_on),
            Visit.visitor_name,
            Visit.visitor_phone,
            Visit.mode,
            Visit.met_person,
            Visit.risk_trend,
            Visit.difficulties,
            Visit.latitude,
            Visit.longitude,
            _raw(Visit.started_at),
            _raw(Visit.ended_at),
        )
        .join(Household, Household.id == Visit.household_id)
        .where(_scope(f), *_between(Visit.visited_on, f))
        .order_by(Visit.id)
    )
    indicators = (
        select(
            IndicatorObservation.visit_id,
            Household.code.label("household_code"),
            _raw(IndicatorObservation.observed_on),
            IndicatorObservation.code,
            IndicatorObservation.state,
            IndicatorObservation.detail,
        )
        .join(Household, Household.id == IndicatorObservation.household_id)
        .where(_scope(f), *_between(IndicatorObservation.observed_on, f))
        .order_by(IndicatorObservation.id)
    )
    measures = (
        select(
            AssistanceMeasure.visit_id,
            Household.code.label("household_code"),
            _raw(AssistanceMeasure.recorded_on),
            AssistanceMeasure.family,
            AssistanceMeasure.detail,
            AssistanceMeasure.status,
            AssistanceMeasure.amount,
        )
        .join(Household, Household.id == AssistanceMeasure.household_id)
        .where(_scope(f), *_between(AssistanceMeasure.recorded_on, f))
        .order_by(AssistanceMeasure.id)
    )
    events = (
        select(
            MajorEvent.id,
            Household.code.label("household_code"),
            MajorEvent.event_type,
            _raw(MajorEvent.occurred_on),
            _raw(MajorEvent.reported_at),
            MajorEvent.status,
            MajorEvent.estimated_cost,
        )
        .join(Household, Household.id == MajorEvent.household_id)
        .where(_scope(f), *_between(MajorEvent.occurred_on, f))
        .order_by(MajorEvent.id)
    )
    return list(
        zip(
            t.REGISTRY_TABLES,
            (households, members, visits, indicators, measures, events),
            strict=True,
        )
    )


def registry_export(
    session: Session, f: ExportFilter, *, only: tuple[str, ...] = ()
) -> Iterator[tuple[t.TableSpec, Batches]]:
    for spec, stmt in registry_queries(f):
        if not only or spec.name in only:
            yield spec, _rendered(spec, _batches(session, stmt), f.masker)


def count_rows(session: Session, statements: list[Any]) -> int:
    return sum(
        session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        for stmt in statements
    )


# ---------------------------------------------------------------------------------------------
# Submissions


def _form(session: Session, xml_form_id: str) -> Form:
    if not is_form_id(xml_form_id):  # not even a form id: nothing to look up
        raise UnknownForm("没有这个表单 / no such form")
    form = session.scalar(select(Form).where(Form.xml_form_id == xml_form_id))
    if form is None:
        raise UnknownForm(f"没有表单 {xml_form_id} / no form {xml_form_id}")
    return form


def submissions_statement(session: Session, xml_form_id: str, f: ExportFilter):  # type: ignore[no-untyped-def]
    form = _form(session, xml_form_id)
    stmt = (
        select(
            SubmissionVersion.instance_id,
            SubmissionVersion.received_at,
            AppUser.username,
            SubmissionVersion.xml,
            SubmissionVersion.form_version_id,
        )
        .outerjoin(AppUser, AppUser.id == SubmissionVersion.app_user_id)
        .where(SubmissionVersion.form_id == form.id, SubmissionVersion.is_current.is_(True))
        .order_by(SubmissionVersion.id)
    )
    # The record's village, as the review queue scopes them (not the sender's area).
    stmt = stmt.where(village_in_scope(SubmissionVersion.village_code, f.scope))
    if f.date_from:  # received on a day in China, as the review queue filters them
        stmt = stmt.where(SubmissionVersion.received_at >= china_midnight(f.date_from))
    if f.date_to:
        stmt = stmt.where(
            SubmissionVersion.received_at < china_midnight(f.date_to) + timedelta(days=1)
        )
    return stmt


def submissions_export(
    session: Session, xml_form_id: str, f: ExportFilter
) -> Iterator[tuple[t.TableSpec, Batches]]:
    """The newest version's tables; older versions' fields that are gone are not exported.

    The form is looked up now (UnknownForm before anything is written or streamed); the
    tables are read as they are iterated."""
    form = _form(session, xml_form_id)
    newest = session.scalars(
        select(FormVersion).where(FormVersion.form_id == form.id).order_by(FormVersion.id.desc())
    ).first()
    if newest is None:
        return iter(())
    stmt = submissions_statement(session, xml_form_id, f)
    return _submission_tables(session, newest.schema, stmt, f.masker)


def _submission_tables(session, schema, stmt, masker) -> Iterator[tuple[t.TableSpec, Batches]]:  # type: ignore[no-untyped-def]
    for spec in t.submission_tables(schema):
        yield spec, _submission_rows(session, stmt, schema, spec, masker)


def _submission_rows(session, stmt, schema, spec, masker) -> Batches:  # type: ignore[no-untyped-def]
    render = t.row_renderer(spec, masker)
    batch: list[Any] = []
    for rows in _batches(session, stmt):
        for row in rows:
            meta = {
                "KEY": row.instance_id,
                "SubmissionDate": row.received_at,
                "SubmitterID": row.username,
            }
            tree = parse_instance(row.xml, schema, STORED_LIMITS)
            for table, values in t.flatten_submission(schema, tree, meta):
                if table == spec.name:
                    batch.append(render(values))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def record_export(
    session: Session,
    actor: WebUser | None,
    *,
    kind: str,
    what: str | None,
    fmt: str,
    export_filter: ExportFilter,
    ip: str | None = None,
    operator: str | None = None,
) -> None:
    """Put an export on record (who, what, which area, masked or not). The caller commits it
    before the first byte is streamed, once everything the export needs was checked."""
    record(
        session,
        actor,
        "export_data",
        object_kind=kind,
        object_id=what,
        area_code=export_filter.area_code,
        ip=ip,
        username=operator,
        format=fmt,
        masked=export_filter.masked,
        since=str(export_filter.date_from or ""),
        until=str(export_filter.date_to or ""),
    )

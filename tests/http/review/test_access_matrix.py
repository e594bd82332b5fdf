"""The access matrix: 3 villages in 2 towns × every role × every route and object kind —
submissions, the household page, approvals, moves, prints, monitoring and exports (phones'
lists and writes: tests/http/openrosa/test_write_scope.py).

For each role, every object of every village is tried through every route (reads and writes,
with a valid CSRF token), and the status is compared with the expectation the roles matrix in
README.md states. Out-of-scope objects answer 404 exactly like missing ones, so ids cannot be
probed; in-scope objects the role may not touch answer 403. A denied write changes nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from server.access.policy import DUTY_SECTIONS
from server.audit.models import AuditEvent
from server.ingest.models import SubmissionVersion
from server.registry.models import Household
from server.review.models import ApprovalCase, ApprovalStep, ReviewComment, SubmissionReview
from tests.http.review.workspace import (
    HTML,
    LIANGBA,
    PEOPLE,
    SANKENG,
    TESTCUN,
    VILLAGES,
    Workspace,
    sign_in,
)

# The villages whose household in review (`Workspace.households`) each person may see: the
# area scope, and for a department viewer the households its duty concerns
# (workspace.record_duty_facts: a duty indicator not met or an illness within 12 months).
COVERS = {
    "ada": set(VILLAGES),
    "sam": {LIANGBA, SANKENG},
    "tina": {TESTCUN},
    "vic": {LIANGBA},
    "val": {SANKENG},
    "vera": {TESTCUN},
    "dora": {LIANGBA},  # housing: 三坑村 only met it, 测试村 failed it 13 months ago
    "mei": {LIANGBA, TESTCUN},  # medical: an illness, a recent failure; 三坑村's is too old
    "hui": {LIANGBA, TESTCUN},  # health: the same households as medical security
    "cai": set(VILLAGES),  # civil affairs: every household
}
# Department viewers whose duty narrows the households (the proposable ones concern none).
NARROWED = {"dora", "mei", "hui"}
AREA_ROLES = {"county_admin", "town_reviewer", "village_committee"}

Route = Callable[[Workspace, str], tuple[str, str, dict]]
ROUTES: dict[str, Route] = {
    "submission.detail": lambda w, v: ("GET", f"/review/submissions/{w.submissions[v]}", {}),
    "submission.file": lambda w, v: (
        "GET",
        f"/review/versions/{w.versions[v]}/files/1755684169123.jpg",
        {},
    ),
    "submission.comment": lambda w, v: (
        "POST",
        f"/review/submissions/{w.submissions[v]}/review",
        {"comment": "请补拍照片"},
    ),
    "submission.set_state": lambda w, v: (
        "POST",
        f"/review/submissions/{w.submissions[v]}/review",
        {"state": "has_issues", "comment": "照片不清楚"},
    ),
    "submission.reveal": lambda w, v: (
        "POST",
        f"/review/submissions/{w.submissions[v]}/reveal",
        {},
    ),
    "submission.raw_xml": lambda w, v: ("POST", f"/review/versions/{w.versions[v]}/raw.xml", {}),
    "household.page": lambda w, v: ("GET", f"/review/households/{w.households[v]}", {}),
    "household.reveal_ids": lambda w, v: (
        "POST",
        f"/review/households/{w.households[v]}/reveal",
        {"what": "ids"},
    ),
    "household.reveal_health": lambda w, v: (
        "POST",
        f"/review/households/{w.households[v]}/reveal",
        {"what": "health"},
    ),
    "household.propose": lambda w, v: (
        "POST",
        f"/review/households/{w.proposable[v]}/propose",
        {"kind": "inclusion", "publicity_start": "2026-11-01", "publicity_end": "2026-11-07"},
    ),
    "case.decide": lambda w, v: (
        "POST",
        f"/review/households/{w.households[v]}/decide",
        {"case_id": str(w.cases[v]), "decision": "approve", "comment": "同意"},
    ),
    # Processed submissions: a role that may send one back to the worker is told it needs none.
    "submission.requeue": lambda w, v: (
        "POST",
        f"/review/submissions/{w.submissions[v]}/requeue",
        {},
    ),
    "print.archive": lambda w, v: ("GET", f"/print/households/{w.households[v]}/archive.pdf", {}),
    "print.work_form": lambda w, v: (
        "GET",
        f"/print/households/{w.households[v]}/work-forms/2026-11.pdf",
        {},
    ),
    "print.binder": lambda w, v: ("GET", f"/print/villages/{v}/binders/2026-11.pdf", {}),
    "monitoring.household": lambda w, v: (
        "GET",
        f"/monitoring/household/{w.households[v]}?month=2026-11",
        {},
    ),
    # Last for each village: it moves the household away.
    "household.move": lambda w, v: (
        "POST",
        f"/review/households/{w.households[v]}/move",
        {"to_village": MOVE_TO[v], "reason": "全家迁居"},
    ),
}
# Where each village's household is moved: within its town where the town has another village.
MOVE_TO = {LIANGBA: SANKENG, SANKENG: LIANGBA, TESTCUN: LIANGBA}
TOWN_VILLAGES = {"sam": {LIANGBA, SANKENG}, "tina": {TESTCUN}}


def expected(username: str, route: str, village: str) -> int:
    role, _area, department = PEOPLE[username]
    if route.startswith("print") and role == "department_viewer":
        return 403  # prints carry every section: for the area roles only, whatever the village
    if village not in COVERS[username]:
        return 403 if role == "department_viewer" and route.startswith("submission") else 404
    if route.startswith("submission"):
        if role not in AREA_ROLES or (
            route in {"submission.set_state", "submission.requeue"} and role == "village_committee"
        ):
            return 403
        if route == "submission.requeue":
            return 422
        return 302 if route in {"submission.comment", "submission.set_state"} else 200
    if route == "household.move":
        if role == "county_admin":
            return 302
        if role == "town_reviewer" and MOVE_TO[village] in TOWN_VILLAGES[username]:
            return 302
        return 403
    if route in {"household.page", "monitoring.household"} or route.startswith("print"):
        return 200
    if route.startswith("household.reveal"):
        if role in AREA_ROLES or route.removeprefix("household.reveal_") in DUTY_SECTIONS.get(
            department, ()
        ):
            return 200
        return 403
    if route == "household.propose":
        if username in NARROWED:
            return 404
        return 302 if role == "village_committee" else 403
    return 302 if role == "town_reviewer" else 403  # case.decide: the case is at the town stage


def _writes(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (ApprovalCase, ApprovalStep, ReviewComment, SubmissionReview)
    } | {
        "moved": session.scalar(
            select(func.count()).select_from(Household).where(Household.updated_at.is_not(None))
        ),
        "requeued": session.scalar(
            select(func.count())
            .select_from(SubmissionVersion)
            .where(SubmissionVersion.processing_state != "processed")
        ),
    }


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_every_role_reaches_exactly_its_own_villages(client, session, world, username):
    token = sign_in(client, world.users[username])
    wrong = []
    for village in VILLAGES:
        for name, route in ROUTES.items():
            method, url, data = route(world, village)
            before = _writes(session)
            if method == "GET":
                # A print renders while its body is read (after the commit): the status is
                # decided before, so the body is left unread.
                response = client.get(url, headers=HTML, buffered=False)
                status = response.status_code
                response.close()
            else:
                status = client.post(
                    url, data={"csrf_token": token, **data}, headers=HTML
                ).status_code
            want = expected(username, name, village)
            if status != want:
                wrong.append(f"{name} @ {village}: got {status}, expected {want}")
            if want in {403, 404}:
                assert _writes(session) == before, f"a denied {name} changed something"
    assert not wrong, f"{username}: " + "; ".join(wrong)


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_lists_show_only_the_villages_in_scope(client, world, username):
    sign_in(client, world.users[username])
    role = PEOPLE[username][0]
    queue = client.get("/review/submissions", headers=HTML)
    households = client.get("/review/households", headers=HTML).data.decode()
    approvals = client.get("/review/approvals", headers=HTML)
    for village in VILLAGES:
        link = f'href="/review/households/{world.households[village]}"'
        assert (link in households) == (village in COVERS[username]), village
        proposable = f'href="/review/households/{world.proposable[village]}"'
        assert (proposable in households) == (
            village in COVERS[username] and username not in NARROWED
        ), village
        if role in AREA_ROLES:
            detail = f'href="/review/submissions/{world.submissions[village]}"'
            assert (detail in queue.data.decode()) == (village in COVERS[username]), village
            assert (link in approvals.data.decode()) == (village in COVERS[username]), village
    if role not in AREA_ROLES:
        assert queue.status_code == 403
        assert approvals.status_code == 403


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_only_the_county_administrator_sees_the_audit_log_and_manages_users(
    client, world, username
):
    token = sign_in(client, world.users[username])
    allowed = PEOPLE[username][0] == "county_admin"
    assert client.get("/audit/", headers=HTML).status_code == (200 if allowed else 403)
    assert client.get("/admin/web-users", headers=HTML).status_code == (200 if allowed else 403)
    assert client.get("/admin/app-users", headers=HTML).status_code == (200 if allowed else 403)
    created = client.post(
        "/admin/web-users",
        data={
            "csrf_token": token,
            "username": "mallory",
            "display_name": "M",
            "role": "county_admin",
        },
        headers=HTML,
    )
    assert created.status_code == (200 if allowed else 403)
    disabled = client.post("/admin/web-users/ada/disable", data={"csrf_token": token}, headers=HTML)
    assert disabled.status_code == (302 if allowed else 403)


def test_reveals_and_exports_are_in_the_audit_log(client, session, world):
    token = sign_in(client, world.users["vic"])
    client.post(
        f"/review/households/{world.households[LIANGBA]}/reveal",
        data={"csrf_token": token, "what": "ids"},
        headers=HTML,
    )
    client.post(
        f"/review/versions/{world.versions[LIANGBA]}/raw.xml",
        data={"csrf_token": token},
        headers=HTML,
    )
    session.expire_all()
    actions = [
        (e.actor_username, e.action, e.object_id)
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert ("vic", "reveal_id_number", world.households[LIANGBA]) in actions
    assert ("vic", "export_xml", str(world.versions[LIANGBA])) in actions


def test_nobody_gets_in_without_logging_in(client, world):
    for name, route in ROUTES.items():
        method, url, data = route(world, LIANGBA)
        resp = client.open(url, method=method, data=data, headers=HTML)
        # Pages send people to the login; a POST without a session has no valid CSRF token.
        assert resp.status_code == (302 if method == "GET" else 400), name
        if method == "GET":
            assert resp.headers["Location"].startswith("/login?next=")
    for url in ("/review/submissions", "/review/households", "/review/approvals", "/audit/"):
        assert client.get(url, headers=HTML).status_code == 302, url


def test_a_case_id_from_another_town_behind_an_own_household_is_not_found(client, session, world):
    token = sign_in(client, world.users["sam"])
    before = _writes(session)
    resp = client.post(
        f"/review/households/{world.households[LIANGBA]}/decide",
        data={"csrf_token": token, "case_id": str(world.cases[TESTCUN]), "decision": "approve"},
        headers=HTML,
    )
    assert resp.status_code == 404
    assert _writes(session) == before


def _zip_tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: list(csv.reader(io.TextIOWrapper(archive.open(name), "utf-8-sig")))
            for name in archive.namelist()
        }


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_exports_hold_exactly_the_villages_in_reach(client, world, username):
    """The registry export holds the households a person may see (area, then duty); the
    submissions export, for the area roles only, the submissions about its villages."""
    sign_in(client, world.users[username])
    role = PEOPLE[username][0]
    households = _zip_tables(client.get("/exports/registry.zip").get_data())["households.csv"]
    assert {code[1:13] for code, *_ in households[1:]} == COVERS[username]
    submissions = client.get("/exports/submissions/visit_test.zip")
    if role not in AREA_ROLES:
        assert submissions.status_code == 403
        return
    text = "\n".join(
        ",".join(row) for rows in _zip_tables(submissions.get_data()).values() for row in rows
    )
    assert {v for v in VILLAGES if v in text} == COVERS[username]

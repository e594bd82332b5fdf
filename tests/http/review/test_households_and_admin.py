"""Household page (sections by role, reveals), the approval chain over HTTP, web users,
the audit log page, login records and the language switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.registry.models import Household
from tests.fixtures import HUANGQI, LIANGBA, make_web_user
from tests.http.review.workspace import HTML, sign_in, submit_county_records
from tests.http.web.helpers import login


@pytest.fixture
def people(session, county):  # type: ignore[no-untyped-def]
    made = {
        "vic": make_web_user(session, username="vic", role="village_committee", area_code=LIANGBA),
        "sam": make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI),
        "ada": make_web_user(session, username="ada", role="county_admin"),
        "dora": make_web_user(
            session, username="dora", role="department_viewer", department="housing"
        ),
        "mei": make_web_user(
            session, username="mei", role="department_viewer", department="medical_security"
        ),
    }
    session.commit()
    return made


@pytest.fixture
def records(app, session, county):  # type: ignore[no-untyped-def]
    return submit_county_records(app, session)


@pytest.fixture
def new(session, records) -> str:  # type: ignore[no-untyped-def]
    """The code of the household the identification instance created."""
    from server.ingest.models import SubmissionVersion

    version = select(SubmissionVersion.id).where(SubmissionVersion.instance_id == "uuid:id-1")
    query = select(Household.code).where(Household.source_version_id == version.scalar_subquery())
    return session.scalars(query).one()


def test_household_page_masks_ids_and_hides_health_until_a_logged_reveal(
    client, session, people, records, new
):
    token = sign_in(client, people["sam"])
    page = client.get(f"/review/households/{new}", headers=HTML).data.decode()
    assert "张小明" in page and "440233********0015" in page and "440233197503120015" not in page
    assert "长期慢性病" not in page and "已隐藏" in page
    assert "本人（户主）" in page and "初中" in page  # coded answers under the form's labels
    assert f"/print/households/{new}/archive.pdf" in page
    ids = client.post(
        f"/review/households/{new}/reveal", data={"csrf_token": token, "what": "ids"}, headers=HTML
    ).data.decode()
    assert "440233197503120015" in ids and "长期慢性病" not in ids
    health = client.post(
        f"/review/households/{new}/reveal",
        data={"csrf_token": token, "what": "health"},
        headers=HTML,
    ).data.decode()
    assert "长期慢性病" in health and "440233197503120015" not in health
    session.expire_all()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == new).order_by(AuditEvent.id)
    ).all()
    assert actions == ["reveal_id_number", "reveal_health"]


def test_visits_per_month_measures_events_and_work_form_links(client, people, records):
    sign_in(client, people["vic"])
    page = client.get("/review/households/H440233100201-0001", headers=HTML).data.decode()
    # One visit that month (the edit replaced the first), a phone call: the settings in force
    # count only meetings, so none of the two required, by the dashboard's rule
    # (monitoring.rules.visit_tally), and the month is flagged.
    assert '<span class="flag">2026-11：0/2</span>' in page
    assert "/print/households/H440233100201-0001/work-forms/2026-11.pdf" in page
    assert "/print/events/" in page and "/report.pdf" in page
    assert "/print/villages/440233100201/binders/2026-11.pdf" in page


def test_a_department_sees_only_its_duty(client, people, records, new):
    sign_in(client, people["dora"])  # 住建: housing indicators only
    page = client.get(f"/review/households/{new}", headers=HTML).data.decode()
    assert "住房安全有保障" in page and "家庭成员" not in page and "张小明" not in page
    assert "基本医疗有保障" not in page and "审批流程" not in page and "/print/" not in page
    sign_in(client, people["mei"])  # 医保: members, health (after a reveal), medical indicator
    page = client.get(f"/review/households/{new}", headers=HTML).data.decode()
    assert "张小明" in page and "基本医疗有保障" in page and "住房安全有保障" not in page


def test_the_approval_chain_over_http_ends_with_a_monitored_household(
    client, session, people, records, new
):
    token = sign_in(client, people["vic"])
    proposal = {
        "csrf_token": token,
        "kind": "inclusion",
        "comment": "村民主评议通过",
        "publicity_start": "2026-11-20",
        "publicity_end": "2026-11-26",
    }
    assert client.post(f"/review/households/{new}/propose", data=proposal).status_code == 302
    page = client.get(f"/review/households/{new}", headers=HTML).data.decode()
    assert "待镇审核" in page and "2026-11-20 – 2026-11-26" in page and "（7 天）" in page
    case_id = page.split('name="case_id" value="')[1].split('"')[0] if "case_id" in page else None
    assert case_id is None  # the village cannot decide at the town stage

    session.expire_all()
    from server.review.models import ApprovalCase

    case_id = session.scalars(select(ApprovalCase.id)).one()
    for name, decision, comment in (
        ("sam", "reject", "请核实户主电话"),
        ("vic", None, "已核实"),
        ("sam", "approve", "同意"),
        ("ada", "approve", "县级确认"),
    ):
        token = sign_in(client, people[name])
        if decision is None:
            resp = client.post(
                f"/review/households/{new}/propose", data={**proposal, "csrf_token": token}
            )
        else:
            resp = client.post(
                f"/review/households/{new}/decide",
                data={
                    "csrf_token": token,
                    "case_id": case_id,
                    "decision": decision,
                    "comment": comment,
                },
            )
        assert resp.status_code == 302, name
    session.expire_all()
    assert (
        session.scalars(select(Household.status).where(Household.code == new)).one() == "monitored"
    )
    page = client.get(f"/review/households/{new}", headers=HTML).data.decode()
    assert "监测中" in page and "Under monitoring" not in page
    assert page.count("<td>Sam</td>") == 2 and "请核实户主电话" in page


def test_county_admin_creates_and_disables_a_web_user(client, session, people):
    token = sign_in(client, people["ada"])
    form = {
        "csrf_token": token,
        "username": "wang",
        "display_name": "王主任",
        "role": "town_reviewer",
        "area_code": "440233100000",
        "department": "",
    }
    page = client.post("/admin/web-users", data=form, headers=HTML).data.decode()
    assert "王主任" in page and "只显示这一次" in page
    password = page.split("<code>")[1].split("</code>")[0]
    bad = client.post(
        "/admin/web-users",
        data={**form, "username": "li", "role": "village_committee"},
        headers=HTML,
    )
    assert bad.status_code == 422  # a village committee needs a village, not a town
    dept = {
        **form,
        "username": "zhu",
        "role": "department_viewer",
        "area_code": "",
        "department": "housing",
    }
    assert client.post("/admin/web-users", data=dept, headers=HTML).status_code == 200
    disabled = client.post("/admin/web-users/wang/disable", data={"csrf_token": token})
    assert disabled.status_code == 302
    from server.auth.service import find_web_user_by_name
    from tests.fixtures import WebPersona

    wang = find_web_user_by_name(session, "wang")
    other = client.application.test_client()
    assert login(other, WebPersona(wang, password)).status_code == 200  # refused, form again
    session.expire_all()
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == [
        "web_user_created",
        "web_user_created",
        "web_user_disabled",
        "login_failed",
    ]


def test_logins_are_audited_and_the_log_is_filterable(client, session, people):
    assert login(client, people["sam"]).status_code == 302
    assert (
        login(client.application.test_client(), people["vic"], "wrong-password").status_code == 200
    )
    sign_in(client, people["ada"])
    page = client.get("/audit/?action=login_failed", headers=HTML).data.decode()
    assert "vic" in page and "登录失败" in page and "<td>sam</td>" not in page
    page = client.get("/audit/?actor=sam", headers=HTML).data.decode()
    assert "<td>sam</td>" in page and "<td>vic</td>" not in page


def test_the_audit_log_is_filtered_by_the_day_in_china(client, people, freeze_clock):
    freeze_clock(datetime(2026, 10, 1, 16, 30, tzinfo=UTC))  # 2 October, 00:30 in China
    assert login(client, people["ada"]).status_code == 302
    day = client.get("/audit/?action=login&since=2026-10-02&until=2026-10-02", headers=HTML)
    assert "<td>ada</td>" in day.data.decode() and "2026-10-02 00:30:00" in day.data.decode()
    before = client.get("/audit/?action=login&until=2026-10-01", headers=HTML).data.decode()
    assert "<td>ada</td>" not in before


def test_english_is_one_click_away(client, people):
    sign_in(client, people["sam"])
    assert "提交审核" in client.get("/review/submissions", headers=HTML).data.decode()
    resp = client.get("/lang/en", headers={"Referer": "http://localhost/review/submissions"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/review/submissions")
    page = client.get("/review/submissions", headers=HTML).data.decode()
    assert '<html lang="en">' in page and "Submissions to review" in page
    assert (
        client.get("/lang/en", headers={"Referer": "http://evil.example/"}).headers["Location"]
        == "/"
    )

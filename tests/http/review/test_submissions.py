"""Queue filters, the submission detail (labels, masking, files, history), review decisions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from tests.db.ingest.test_processing import _visit_for_unknown_household
from tests.fixtures import HUANGQI, LIANGBA, make_app_user, make_web_user
from tests.http.openrosa.test_submission import post, visit
from tests.http.review.workspace import HTML, TESTCUN, sign_in, submit_county_records


@pytest.fixture
def records(app, session, county):  # type: ignore[no-untyped-def]
    return submit_county_records(app, session)


@pytest.fixture
def sam(session, county):  # type: ignore[no-untyped-def]
    persona = make_web_user(session, username="sam", role="town_reviewer", area_code=HUANGQI)
    session.commit()
    return persona


def _submission_links(page: bytes) -> set[int]:
    return {int(n) for n in re.findall(rb'href="/review/submissions/(\d+)"', page)}


def test_detail_shows_chinese_labels_choice_labels_and_masked_numbers(client, records, sam):
    sign_in(client, sam)
    page = client.get(f"/review/submissions/{records['uuid:id-1']}", headers=HTML).data.decode()
    assert "户主身份证号" in page and "/data/household/head_id" not in page
    assert "边缘易致贫户" in page and "梁坝村" in page  # choice label and village name
    assert "440233********0015" in page and "440233197503120015" not in page
    assert "138****5678" in page and "13812345678" not in page
    assert 'class="repeat"' in page and "李梅" in page  # the members repeat as a table
    assert "家庭成员" in page  # the repeat's label, from the group pyxform wraps it in
    assert "长期慢性病" not in page and "已隐藏" in page  # health details wait for a reveal
    assert "0 m" in page  # the house's GPS against the household's recorded location


def test_revealing_full_numbers_is_deliberate_and_logged(client, session, records, sam):
    token = sign_in(client, sam)
    url = f"/review/submissions/{records['uuid:id-1']}/reveal"
    assert client.get(url, headers=HTML).status_code == 405  # never by following a link
    page = client.post(url, data={"csrf_token": token}, headers=HTML).data.decode()
    assert "440233197503120015" in page and "长期慢性病" in page
    session.expire_all()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("reveal_%"))).all()
    assert {(e.actor_username, e.action, e.object_id) for e in events} == {
        ("sam", "reveal_id_number", str(records["uuid:id-1"])),
        ("sam", "reveal_health", str(records["uuid:id-1"])),
    }


def test_an_edit_shows_as_edited_with_the_diff_of_changed_fields(client, records, sam):
    sign_in(client, sam)
    page = client.get(f"/review/submissions/{records['uuid:visit-2']}", headers=HTML).data.decode()
    assert "已修改" in page and "Edited" not in page
    assert "uuid:visit-1" in page and "uuid:visit-2" in page
    assert "<del>" in page and "<ins>" in page
    queue = client.get("/review/submissions?state=edited", headers=HTML).data
    assert _submission_links(queue) == {records["uuid:visit-2"]}


def test_photos_are_served_inline_to_the_scope_only(client, app, session, records, sam):
    sign_in(client, sam)
    page = client.get(f"/review/submissions/{records['uuid:id-1']}", headers=HTML).data
    files = re.findall(rb'src="(/review/versions/\d+/files/[^"]+)"', page)
    assert len(files) == 2, "the house photo and the signature are shown as thumbnails"
    resp = client.get(files[0].decode())
    assert resp.status_code == 200 and resp.data.startswith(b"\xff\xd8\xff")


def test_send_back_needs_a_comment_and_the_state_filters_the_queue(client, records, sam):
    token = sign_in(client, sam)
    submission = records["uuid:event-1"]
    url = f"/review/submissions/{submission}/review"
    refused = client.post(url, data={"csrf_token": token, "state": "rejected"}, headers=HTML)
    assert refused.status_code == 422
    assert "必须填写意见" in refused.data.decode()
    done = client.post(
        url,
        data={"csrf_token": token, "state": "has_issues", "comment": "请补充医院证明照片"},
        headers=HTML,
    )
    assert done.status_code == 302
    page = client.get(f"/review/submissions/{submission}", headers=HTML).data.decode()
    assert "请补充医院证明照片" in page and "有问题" in page
    queue = client.get("/review/submissions?state=has_issues", headers=HTML).data
    assert _submission_links(queue) == {submission}
    assert _submission_links(
        client.get("/review/submissions?state=received", headers=HTML).data
    ) == {records["uuid:id-1"]}


def test_queue_filters(client, app, session, records, sam):
    cadre = make_app_user(session, username="eve", form_ids=["visit_test", "assistance_visit"])
    session.commit()
    # A visit whose files never arrived, and one for a household the registry does not know.
    assert post(client, cadre, visit(instance_id="uuid:nofiles"), {}).status_code == 201
    assert post(client, cadre, _visit_for_unknown_household(), {}).status_code == 201
    from server.ingest.processing import process_pending

    process_pending(app.extensions["sessionmaker"])
    sign_in(client, sam)

    def shown(query: str) -> set[int]:
        return _submission_links(client.get(f"/review/submissions?{query}", headers=HTML).data)

    everything = shown("")
    assert len(everything) == 5  # 3 county records (one edited) and 2 test visits
    assert shown("form=household_archive") == {records["uuid:id-1"]}
    assert shown(f"village={LIANGBA}") == everything
    assert shown(f"village={TESTCUN}") == set()
    assert shown("town=440233100000") == everything
    assert shown("since=2000-01-01&until=2000-01-02") == set()
    assert shown("since=2000-01-01") == everything
    assert shown("type=unstable_formerly_poor") == set()
    # The identification's household is named once processed, so its type filters it too.
    assert records["uuid:id-1"] in shown("type=marginal_at_risk")
    assert len(shown("flag=missing_attachment")) == 1
    assert len(shown("flag=needs_attention")) == 1
    assert shown("flag=invalid_id") == {records["uuid:id-1"]}  # 李梅: sex vs ID digit 17
    assert shown("flag=duplicate_person&flag=needs_attention") == set()


def test_the_queue_speaks_the_pages_one_language(client, records, sam):
    sign_in(client, sam)
    page = client.get("/review/submissions", headers=HTML).data.decode()
    assert '<td class="kind">边缘易致贫户</td>' in page
    assert "已接收" in page and '<span class="flag">身份证号无效</span>' in page
    client.get("/lang/en")
    page = client.get("/review/submissions", headers=HTML).data.decode()
    assert '<td class="kind">Marginal household at risk of poverty</td>' in page
    assert "Received" in page and '<span class="flag">Invalid ID</span>' in page
    assert "已接收" not in page and "身份证号无效" not in page and "筛选" not in page


def test_a_queue_page_costs_the_same_few_queries_however_many_rows(app, session, records, sam):
    from sqlalchemy import event

    from server.review.service import QueueFilter, list_queue

    statements: list[str] = []
    engine = app.extensions["sessionmaker"].kw["bind"]

    def listener(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        rows = list_queue(session, sam.user, QueueFilter())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(rows) == 3 and {r.household_type for r in rows} == {"marginal_at_risk"}
    # the page, its issues, its missing files, its households' types: no query per row
    assert len(statements) == 4

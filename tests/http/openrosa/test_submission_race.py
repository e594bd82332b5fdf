"""Two identical POSTs at the same moment (a phone retrying while its first upload is still
being written): one version is stored, and both phones get 201.

On PostgreSQL both requests may pass the duplicate check before either commits; the unique
index then stops the later insert. The test forces exactly that interleaving: a transaction
holds the same instance, uncommitted, while the phone's POST arrives."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from server.areas.service import this_year
from server.db import WRITE
from server.ingest.instance import Limits
from server.ingest.models import SubmissionVersion
from server.ingest.service import prepare_submission, store_submission
from tests.collect import instance_xml, multipart_body
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live import fresh_database, migrated_app, seed_village_cadre, serving


def test_a_post_racing_an_uncommitted_identical_one_is_its_resend(backend: str, tmp_path: Path):
    with fresh_database(backend, tmp_path, POSTGRES_ADMIN_URL) as url:
        app = migrated_app(url, tmp_path / "instance")
        eli = seed_village_cadre(app)
        xml = instance_xml("visit_test", "1", "<visited_on>2026-11-02</visited_on>",
                           instance_id="uuid:race")  # fmt: skip
        body, content_type = multipart_body(xml, {})
        with serving(app) as base:
            from server.auth.service import find_phone_user

            sessions = app.extensions["sessionmaker"]
            holder = sessions()
            holder.connection(execution_options=WRITE)
            user = find_phone_user(holder, token=eli.token)
            prepared = prepare_submission(
                holder, xml=xml, files=[], user=user, year=this_year(), limits=Limits()
            )
            store_submission(holder, prepared, device_id=None)  # not committed
            answers: list[requests.Response] = []
            post = threading.Thread(
                target=lambda: answers.append(
                    requests.post(
                        f"{base}/key/{eli.token}/submission",
                        data=body,
                        headers={"Content-Type": content_type},
                        timeout=30,
                    )
                )
            )
            post.start()
            time.sleep(0.5)  # the POST is now waiting: on the unique index, or the write lock
            assert not answers
            holder.commit()
            holder.close()
            post.join(timeout=30)
            assert [a.status_code for a in answers] == [201]
            assert "已收到（此前已提交）" in answers[0].text
            with sessions() as check:
                stored = check.scalar(select(func.count()).select_from(SubmissionVersion))
            assert stored == 1

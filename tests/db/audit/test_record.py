"""Every audit event names who acted: a web user, a name typed at a failed login, or the
operator at the command line."""

from __future__ import annotations

import pytest

from server.audit.service import command_line_operator, record


def test_an_event_without_anyone_named_is_refused(session):
    with pytest.raises(ValueError, match="must name who acted"):
        record(session, None, "app_user_created", object_kind="app_user", object_id="eli")


def test_a_name_without_a_user_is_kept_to_the_column_width(session):
    event = record(session, None, "login_failed", object_kind="web_user", username="x" * 60)
    assert event.actor_id is None and event.actor_username == "x" * 40


def test_the_operator_is_named_by_login_name(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOGNAME", "zhou")
    assert command_line_operator() == "命令行 command line (zhou)"

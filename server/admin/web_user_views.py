"""County administration of web users: create (the password is shown once), log out
everywhere, and disable."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from server.access.views import permission_required
from server.admin.forms import ConfirmForm, WebUserCreateForm
from server.admin.views import _towns_and_villages, bp
from server.areas.service import this_year
from server.auth.decorators import current_web_user
from server.auth.roles import DEPARTMENTS, WEB_ROLE_LABELS
from server.auth.service import (
    create_web_user,
    disable_web_user,
    list_web_users,
    log_out_everywhere,
)
from server.auth.sessions import live_session_counts
from server.core.errors import DomainError
from server.db import get_session


def _page(form: WebUserCreateForm | None = None, status: int = 200, **extra) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    session = get_session()
    areas = _towns_and_villages(session)
    form = form or WebUserCreateForm()
    form.area_code.choices = [SelectChoice("", "—（县级/部门 county or department）")] + [
        SelectChoice(a.code, f"{a.name}（{'镇 town' if a.level == 'town' else a.code}）")
        for a in sorted(areas, key=lambda a: (a.code[:9], a.level != "town", a.code))
    ]
    form.department.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, label) for code, label in DEPARTMENTS.items()
    ]
    page = render_template(
        "admin/web_users.html",
        users=list_web_users(session),
        live_sessions=live_session_counts(session),
        form=form,
        confirm=ConfirmForm(),
        roles=WEB_ROLE_LABELS,
        departments=DEPARTMENTS,
        area_names={a.code: a.name for a in areas},
        **extra,
    )
    return page, status


@bp.get("/web-users")
@permission_required("manage_users")
def web_users() -> tuple[str, int]:
    return _page()


@bp.post("/web-users")
@permission_required("manage_users")
def create_web() -> tuple[str, int]:
    form = WebUserCreateForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    session = get_session()
    try:
        user, password = create_web_user(
            session,
            username=form.username.data or "",
            display_name=form.display_name.data or "",
            role=form.role.data or "",
            area_code=form.area_code.data or None,
            department=form.department.data or None,
            year=this_year(),
            actor=current_web_user(),
            ip=request.remote_addr,
        )
    except DomainError as err:
        form.username.errors = [*form.username.errors, err.message]
        return _page(form, 422)  # an error status: the transaction is rolled back
    return _page(created=user, password=password)


@bp.post("/web-users/<username>/disable")
@permission_required("manage_users")
def disable_web(username: str) -> Response:
    if ConfirmForm().validate_on_submit():
        session = get_session()
        user = disable_web_user(session, username, actor=current_web_user(), ip=request.remote_addr)
        flash(f"已停用 {user.display_name}（{user.username}）/ disabled")
    return redirect(url_for("admin.web_users"))


@bp.post("/web-users/<username>/logout-everywhere")
@permission_required("manage_users")
def logout_everywhere(username: str) -> Response:
    if ConfirmForm().validate_on_submit():
        session = get_session()
        user, ended = log_out_everywhere(
            session, username, actor=current_web_user(), ip=request.remote_addr
        )
        flash(
            f"已全部登出 {user.display_name}（{user.username}），结束 {ended} 个会话 / "
            f"logged out everywhere: {ended} sessions ended"
        )
    return redirect(url_for("admin.web_users"))

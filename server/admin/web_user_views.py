"""County administration of web users: create (the password is shown once), log out
everywhere, and disable."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from server.access.views import permission_required
from server.admin.forms import WEB_ROLE_ORDER, ConfirmForm, WebUserCreateForm
from server.admin.presenter import CreatedWebUser, web_user_rows
from server.admin.views import _towns_and_villages, area_choice_order, bp
from server.areas.models import Area
from server.areas.service import this_year
from server.auth.decorators import current_web_user
from server.auth.roles import DEPARTMENTS
from server.auth.service import (
    create_web_user,
    disable_web_user,
    list_web_users,
    log_out_everywhere,
)
from server.auth.sessions import live_session_counts
from server.core.errors import DomainError
from server.db import get_session
from server.i18n import code_labels, current_language


def _form(areas: list[Area]) -> WebUserCreateForm:
    """The create form, its roles, areas and departments labelled in the page's language."""
    labels, lang = code_labels(), current_language()
    form = WebUserCreateForm()
    form.role.choices = [SelectChoice(r, labels.of("web_role", r, lang)) for r in WEB_ROLE_ORDER]
    form.area_code.choices = [SelectChoice("", _("—（县级或部门）"))] + [
        SelectChoice(
            a.code,
            _("%(name)s（镇）", name=a.name)
            if a.level == "town"
            else _("%(name)s（%(code)s）", name=a.name, code=a.code),
        )
        for a in sorted(areas, key=area_choice_order)
    ]
    form.department.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, labels.of("duty", code, lang)) for code in DEPARTMENTS
    ]
    return form


def _page(
    form: WebUserCreateForm | None = None,
    status: int = 200,
    created: CreatedWebUser | None = None,
) -> tuple[str, int]:
    session = get_session()
    areas = _towns_and_villages(session)
    me = current_web_user()
    users = web_user_rows(
        list_web_users(session),
        live_sessions=live_session_counts(session),
        me_id=me.id if me is not None else None,
        area_names={a.code: a.name for a in areas},
        labels=code_labels(),
        lang=current_language(),
    )
    page = render_template(
        "admin/web_users.html",
        users=users,
        form=form or _form(areas),
        confirm=ConfirmForm(),
        created=created,
    )
    return page, status


@bp.get("/web-users")
@permission_required("manage_users")
def web_users() -> tuple[str, int]:
    return _page()


@bp.post("/web-users")
@permission_required("manage_users")
def create_web() -> tuple[str, int]:
    session = get_session()
    form = _form(_towns_and_villages(session))
    if not form.validate_on_submit():
        return _page(form, 422)
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
    return _page(created=CreatedWebUser(user.display_name, user.username, password))


@bp.post("/web-users/<username>/disable")
@permission_required("manage_users")
def disable_web(username: str) -> Response:
    if ConfirmForm().validate_on_submit():
        session = get_session()
        user = disable_web_user(session, username, actor=current_web_user(), ip=request.remote_addr)
        flash(_("已停用 %(name)s（%(username)s）", name=user.display_name, username=user.username))
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
            _(
                "已全部登出 %(name)s（%(username)s），结束 %(count)s 个会话",
                name=user.display_name,
                username=user.username,
                count=ended,
            )
        )
    return redirect(url_for("admin.web_users"))

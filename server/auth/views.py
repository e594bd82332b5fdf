"""Web login, logout and password change (sessions are rows: auth/sessions.py), and the home
page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from server.areas.service import area_title, this_year
from server.auth.decorators import (
    current_web_session,
    current_web_user,
    delete_login_cookie,
    login_required,
    set_login_cookie,
)
from server.auth.errors import InvalidAppUser, WeakPassword
from server.auth.forms import LoginForm, PasswordChangeForm
from server.auth.login import log_in, log_out
from server.auth.login_limit import login_rate_limited
from server.auth.next_page import safe_next_path
from server.auth.service import change_web_password
from server.core.errors import AccessDenied
from server.db import get_session
from server.i18n import label

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@login_rate_limited
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        token = log_in(
            db,
            form.username.data or "",
            form.password.data or "",
            lifetime=current_app.permanent_session_lifetime,
            ip=request.remote_addr,
            user_agent=request.user_agent.string,
        )  # a failed login is on record too: the page answers 200 and the transaction commits
        if token:
            return _logged_in(token)
        form.password.errors.append(_("用户名或密码错误"))
    return render_template("auth/login.html", form=form)


def _logged_in(token: str) -> Response:
    session.clear()  # a new CSRF secret for the logged-in browser
    response = redirect(safe_next_path(request.args.get("next")) or url_for("auth.home"))
    set_login_cookie(response, token)
    return response


@bp.post("/logout")
def logout() -> Response:
    user, web_session = current_web_user(), current_web_session()
    if user is not None and web_session is not None:
        db = get_session()
        log_out(db, user, web_session, ip=request.remote_addr)
    session.clear()
    response = redirect(url_for("auth.login"))
    delete_login_cookie(response)
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = PasswordChangeForm()
    user, web_session = current_web_user(), current_web_session()
    if form.validate_on_submit() and user is not None and web_session is not None:
        db = get_session()
        try:
            change_web_password(
                db,
                user,
                current=form.current.data or "",
                new=form.new.data or "",
                keep_session=web_session.id,
                ip=request.remote_addr,
            )
        except WeakPassword as err:
            form.new.errors.extend(err.problems)
        except InvalidAppUser as err:
            form.current.errors.append(err.message)
        else:
            flash(_("密码已修改，其他地方的登录已退出"))
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


@dataclass(frozen=True, slots=True)
class Home:
    """Who is signed in, as the home page greets them (the links follow `signed_in().may`)."""

    display_name: str
    role: str  # its label in the page's language
    area: str  # the area's name, or a department viewer's duty; "" for the county office


@bp.get("/")
@login_required
def home() -> str:
    user = current_web_user()
    if user is None:  # login_required let no one else in
        raise AccessDenied("请先登录 / please log in")
    home = Home(
        display_name=user.display_name,
        role=label("web_role", user.role),
        area=area_title(get_session(), user.area_code, year=this_year())
        or label("duty", user.department),
    )
    return render_template("auth/home.html", home=home)

"""Web login, logout and password change (sessions are rows: auth/sessions.py)."""

from __future__ import annotations

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
from server.auth.roles import WEB_ROLE_LABELS
from server.auth.service import change_web_password
from server.db import get_session

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
        form.password.errors.append("用户名或密码错误 / wrong username or password")
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
            flash("密码已修改，其他地方的登录已退出 / password changed; other sessions ended")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


@bp.get("/")
@login_required
def home() -> str:
    return render_template("auth/home.html", role_labels=WEB_ROLE_LABELS)

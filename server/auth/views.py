"""Web login, logout and password change."""

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

from server.auth.decorators import current_web_user, login_required, session_stamp
from server.auth.errors import InvalidAppUser
from server.auth.forms import LoginForm, PasswordChangeForm
from server.auth.models import WEB_ROLE_LABELS
from server.auth.service import authenticate_web_user, change_web_password
from server.db import get_session
from server.extensions import limiter

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = authenticate_web_user(db, form.username.data or "", form.password.data or "")
        if user is not None:
            db.commit()
            session.clear()
            session.permanent = True
            session["web_user_id"] = user.id
            session["stamp"] = session_stamp(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("用户名或密码错误 / wrong username or password")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = PasswordChangeForm()
    user = current_web_user()
    if form.validate_on_submit() and user is not None:
        db = get_session()
        try:
            change_web_password(db, user, current=form.current.data or "", new=form.new.data or "")
        except InvalidAppUser as err:
            form.current.errors.append(err.message)
        else:
            db.commit()
            session["stamp"] = session_stamp(user)
            flash("密码已修改 / password changed")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


@bp.get("/")
@login_required
def home() -> str:
    return render_template("auth/home.html", role_labels=WEB_ROLE_LABELS)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("auth.home")

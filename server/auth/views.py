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

from server.auth import signals
from server.auth.decorators import current_web_user, login_required, session_stamp
from server.auth.errors import InvalidAppUser, WeakPassword
from server.auth.forms import LoginForm, PasswordChangeForm
from server.auth.login_limit import login_rate_limited
from server.auth.models import WEB_ROLE_LABELS
from server.auth.next_page import safe_next_path
from server.auth.service import authenticate_web_user, change_web_password
from server.db import get_session

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@login_rate_limited
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        username = form.username.data or ""
        user = authenticate_web_user(db, username, form.password.data or "")
        signal = signals.logged_in if user is not None else signals.login_failed
        _send(signal, user=user, username=username)
        db.commit()
        if user is not None:
            session.clear()
            session.permanent = True
            session["web_user_id"] = user.id
            session["stamp"] = session_stamp(user)
            return redirect(safe_next_path(request.args.get("next")) or url_for("auth.home"))
        form.password.errors.append("用户名或密码错误 / wrong username or password")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    user = current_web_user()
    if user is not None:
        _send(signals.logged_out, user=user, username=user.username)
        get_session().commit()
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
        except WeakPassword as err:
            form.new.errors.extend(err.problems)
        except InvalidAppUser as err:
            form.current.errors.append(err.message)
        else:
            _send(signals.password_changed, user=user, username=user.username)
            db.commit()
            session["stamp"] = session_stamp(user)
            flash("密码已修改 / password changed")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


@bp.get("/")
@login_required
def home() -> str:
    return render_template("auth/home.html", role_labels=WEB_ROLE_LABELS)


def _send(signal, *, user, username: str) -> None:  # type: ignore[no-untyped-def]
    """Tell whoever listens (the audit log), inside this request's transaction."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    signal.send(app, session=get_session(), user=user, username=username, ip=request.remote_addr)

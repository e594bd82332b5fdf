"""County administration pages: phone app users and their ODK Collect QR codes."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from server.access.views import permission_required
from server.admin.forms import AppUserCreateForm, ConfirmForm
from server.admin.presenter import QrCode, app_user_rows
from server.areas.models import Area
from server.areas.service import list_areas, this_year
from server.auth.decorators import current_web_user
from server.auth.models import AppUser
from server.auth.qr import collect_settings, encode_payload, qr_png
from server.auth.roles import APP_USER_ROLES
from server.auth.service import (
    AppUserSecrets,
    create_app_user,
    list_app_users,
    revoke_app_user,
    rotate_secrets,
)
from server.core.errors import DomainError
from server.db import get_session
from server.forms.models import Form
from server.forms.service import list_forms
from server.i18n import code_labels, current_language

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
ADMIN = "county_admin"


def _list_page(form: AppUserCreateForm | None = None, status: int = 200) -> tuple[str, int]:
    """The list of app users with the create form (re-shown with its errors after a POST)."""
    session = get_session()
    areas = _towns_and_villages(session)
    published = list_forms(session)
    form = form or AppUserCreateForm()
    _fill_choices(form, areas, published)
    users = app_user_rows(
        list_app_users(session),
        area_names={a.code: a.name for a in areas},
        form_titles={f.xml_form_id: f.title for f in published},
        labels=code_labels(),
        lang=current_language(),
    )
    page = render_template("admin/app_users.html", users=users, form=form, confirm=ConfirmForm())
    return page, status


def _towns_and_villages(session: Session) -> list[Area]:
    return [a for a in list_areas(session, year=this_year()) if a.level != "county"]


def area_choice_order(area: Area) -> tuple[str, bool, str]:
    """Each town, then its villages."""
    return area.code[:9], area.level != "town", area.code


def _fill_choices(form: AppUserCreateForm, areas: list[Area], published: Sequence[Form]) -> None:
    """The roles, this year's towns and villages (grouped by town) and the published forms."""
    labels, lang = code_labels(), current_language()
    form.role.choices = [SelectChoice(r, labels.of("app_role", r, lang)) for r in APP_USER_ROLES]
    town_names = {a.code: a.name for a in areas if a.level == "town"}
    form.area_code.choices = [
        SelectChoice(
            a.code,
            _("%(name)s（全镇）", name=a.name)
            if a.level == "town"
            else _("%(name)s（%(code)s）", name=a.name, code=a.code),
            optgroup=town_names.get(a.code if a.level == "town" else a.parent_code or ""),
        )
        for a in sorted(areas, key=area_choice_order)
    ]
    form.form_ids.choices = [SelectChoice(f.xml_form_id, f.title) for f in published]
    if request.method == "GET":
        form.form_ids.data = [f.xml_form_id for f in published]


@bp.get("/app-users")
@permission_required("manage_users")
def app_users() -> tuple[str, int]:
    return _list_page()


@bp.post("/app-users")
@permission_required("manage_users")
def create() -> str | tuple[str, int]:
    session = get_session()
    form = AppUserCreateForm()
    _fill_choices(form, _towns_and_villages(session), list_forms(session))
    if not form.validate_on_submit():
        return _list_page(form, 422)
    try:
        user, secrets_ = create_app_user(
            session,
            username=form.username.data or "",
            display_name=form.display_name.data or "",
            role=form.role.data or "",
            area_code=form.area_code.data or "",
            form_ids=form.form_ids.data or [],
            realm=current_app.config["DIGEST_REALM"],
            year=this_year(),
            actor=current_web_user(),
            ip=request.remote_addr,
        )
    except DomainError as err:
        form.username.errors = [*form.username.errors, err.message]
        return _list_page(form, 422)  # an error status: the transaction is rolled back
    return _qr_page(user, secrets_)


@bp.post("/app-users/<username>/revoke")
@permission_required("manage_users")
def revoke(username: str) -> Response:
    if ConfirmForm().validate_on_submit():
        session = get_session()
        user = revoke_app_user(session, username, actor=current_web_user(), ip=request.remote_addr)
        flash(_("已停用 %(name)s（%(username)s）", name=user.display_name, username=user.username))
    return redirect(url_for("admin.app_users"))


@bp.post("/app-users/<username>/rotate")
@permission_required("manage_users")
def rotate(username: str) -> Response | str:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.app_users"))
    session = get_session()
    user, secrets_ = rotate_secrets(
        session,
        username,
        realm=current_app.config["DIGEST_REALM"],
        actor=current_web_user(),
        ip=request.remote_addr,
    )
    return _qr_page(user, secrets_)


def _qr_page(user: AppUser, secrets_: AppUserSecrets) -> str:
    """The QR code is shown once: only a hash of the token is kept."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    server_url = f"{base}/key/{secrets_.token}"
    payload = encode_payload(
        collect_settings(
            server_url=server_url,
            project_name=f"防返 {user.display_name}",
            metadata_username=user.display_name,
        )
    )
    qr = QrCode(
        display_name=user.display_name,
        username=user.username,
        server_url=server_url,
        base_url=base,
        password=secrets_.password,
        image=base64.b64encode(qr_png(payload)).decode("ascii"),
    )
    return render_template("admin/app_user_qr.html", qr=qr)

"""Fangfan (防返): the OpenRosa server and household registry. `create_app()` and nothing else.

Importing any module of `server` runs this file first, so it imports Flask only when an app is
built: a pure module (server/core/, the parsers, the rules) stays free of it at run time too
(tests/unit/test_layering.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from server.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the WSGI app. Tests pass a Config; production reads the environment."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from server import (  # noqa: F401 - models registers all tables
        db,
        errors,
        i18n,
        models,
        openrosa,
        security_headers,
        shared_state,
        web,
    )
    from server.access.views import signed_in
    from server.admin import (
        audit_views,
        web_user_views,  # noqa: F401 - adds its routes to admin.bp
    )
    from server.admin import views as admin_views
    from server.auth import login_limit
    from server.auth import views as auth_views
    from server.auth.web_session import WebSessionInterface
    from server.config import Config
    from server.exports import views as export_views
    from server.extensions import csrf
    from server.monitoring import views as monitoring_views
    from server.openrosa import phone_auth
    from server.printing import views as printing_views
    from server.review import household_views  # noqa: F401 - adds its routes to review.bp
    from server.review import views as review_views

    config = config or Config.from_env()
    app = db.App(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_mapping(config.as_flask_config())
    app.session_interface = WebSessionInterface()
    web.init_app(app)  # before the blueprints: their rules bind the URL converters
    if config.TRUST_PROXY:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    db.init_app(app)
    errors.init_app(app)
    csrf.init_app(app)
    shared_state.init_app(app)
    login_limit.init_app(app)
    phone_auth.init_app(app)
    # Collect sends no cookies, so OpenRosa routes cannot carry CSRF tokens (openrosa.md §0.1);
    # they authenticate every request on its own instead.
    csrf.exempt(openrosa.bp)
    for blueprint in (
        openrosa.bp,
        auth_views.bp,
        audit_views.bp,
        printing_views.bp,
        review_views.bp,
        admin_views.bp,
        monitoring_views.bp,
        export_views.bp,
    ):
        app.register_blueprint(blueprint)
    i18n.init_app(app)
    security_headers.init_app(app)  # after the last blueprint (i18n's)
    app.jinja_env.globals["signed_in"] = signed_in
    return app

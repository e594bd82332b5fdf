"""Fangfan (防返): the OpenRosa server and household registry. `create_app()` and nothing else."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the WSGI app. Tests pass a Config; production reads the environment."""
    from server import db, errors, models, openrosa  # noqa: F401 - models registers all tables

    config = config or Config.from_env()
    app = Flask(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_mapping(config.as_flask_config())
    if config.TRUST_PROXY:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(openrosa.bp)
    return app

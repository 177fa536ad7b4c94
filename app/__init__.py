"""The Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; the only place that reads the environment."""
    instance_path = os.environ.get("SILTA_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    instance = Path(app.instance_path)
    settings = config_module.load(instance, os.environ)
    if test_config:
        settings.update(test_config)
    config_module.ensure_development_secret(settings, instance)
    app.config.update(settings)
    # The Flask CLI imports wsgi.py too; `keys init` and `db upgrade` must be able to prepare a
    # production host before it is ready to serve. gunicorn never has a click context.
    if click.get_current_context(silent=True) is None:
        config_module.check_serving(app.config)
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.urandom(32).hex()

    if app.config["SILTA_TRUSTED_PROXIES"]:
        hops = app.config["SILTA_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )

    from app import (
        admin,
        auditing,
        auth,
        casework,
        cli,
        errors,
        guards,
        i18n,
        main,
        meetings,
        notifications,
        operations,
        persons,
        referrals,
        rights,
        statistics,
        youth_summary,
    )
    from app.auth import release as auth_release
    from app.extensions import csrf, init_silta, limiter

    # First of the request hooks: the request id and the clock start before CSRF and the guard.
    metrics = operations.init_app(app)
    init_silta(app, on_chain_batch=metrics.observe_chain_batch)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    guards.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    notifications.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(auth_release.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(auditing.bp)
    app.register_blueprint(persons.bp)
    app.register_blueprint(casework.bp)
    app.register_blueprint(referrals.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(rights.bp)
    app.register_blueprint(youth_summary.bp)
    app.register_blueprint(operations.bp)
    return app

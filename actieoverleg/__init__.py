"""actieoverleg: action points for the weekly Actie-overleg of Veiligheid Voorop."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Mapping

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then ACTIEOVERLEG_* variables, then tests.

    No schema creation, no network and no prompts here: `flask init-db` creates the schema.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=None,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "actieoverleg.sqlite"),
        # A meeting lasts up to three hours; a form opened at its start must still post at its end.
        # Exception messages must never carry case content: no SQL parameters in them.
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True},
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        PAGE_SIZE=50,
        LOGIN_MAX_FAILURES=5,  # per account (or code, or link) within LOGIN_LOCK_MINUTES: then 429
        LOGIN_MAX_FAILURES_PER_ADDRESS=20,  # per client address within LOGIN_LOCK_MINUTES
        LOGIN_LOCK_MINUTES=15,
        PLANNING_WEEKS=8,
        # Mail (docs/rules.md §6). No MAIL_SERVER: messages are written as .eml files to MAIL_DIR.
        # Links in mails and calendar items (addresses.py). Unset: the address a request came in on.
        BASE_URL=None,
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USE_TLS=False,  # STARTTLS
        MAIL_USE_SSL=False,  # SMTPS
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_DEFAULT_SENDER="Actie-overleg <actieoverleg@localhost>",
        MAIL_TIMEOUT=10,
        MAIL_DIR=os.path.join(app.instance_path, "mail"),
        OUTBOX_DELIVER_AFTER_COMMIT=True,  # deliver a request's mails right after its commit
        OUTBOX_BATCH_SIZE=50,
        OUTBOX_RETRY_SECONDS=60,  # first back-off; doubles per attempt, at most 6 hours
        OUTBOX_MAX_ATTEMPTS=12,
        OUTBOX_LEASE_SECONDS=600,  # a claim older than this belongs to a sender that died
        OUTBOX_KEEP_DAYS=30,  # sent messages are deleted after this many days
        REMINDER_DAYS=3,
        RETENTION_MONTHS=12,  # a case at rest this long loses its file reference and action texts
        # Web surface (docs/rules.md §8): a bigger request answers 413; the number of proxies in
        # front whose X-Forwarded-For/-Proto/-Host are trusted (0: none; 1 behind one TLS proxy);
        # security.txt's contact (unset: the sender address) and HSTS also over plain http
        # (a proxy that terminates TLS but does not say so).
        MAX_CONTENT_LENGTH=1024 * 1024,
        TRUSTED_PROXIES=0,
        SECURITY_CONTACT=None,
        HSTS_ALWAYS=False,
        # Sign-in (docs/rules.md §8): a TOTP code may be this many 30-second steps early or late.
        TOTP_DRIFT_STEPS=1,
        LOGIN_PENDING_MINUTES=10,  # between the password and the code step
        ACCOUNT_LINK_HOURS=48,  # an invitation or password link works once, this long
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ACTIEOVERLEG")
    else:
        app.config.from_prefixed_env("ACTIEOVERLEG")
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(
            "No SECRET_KEY configured. Set ACTIEOVERLEG_SECRET_KEY or put SECRET_KEY in "
            f"{os.path.join(app.instance_path, 'config.py')} (make run creates one)."
        )
    os.makedirs(app.instance_path, exist_ok=True)

    from . import audit, auth, bounds, cli, database, derived, errors, formatting, htmx, outbox, request_log, security
    from .extensions import babel, csrf, db, login_manager, migrate
    from .views import register_blueprints

    # Everything that runs besides the views, in order: the engine, the listeners on every
    # session (derived data, the outbox), then the request machinery.
    bounds.init_app(app)  # the `int` converter, before any route is added
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    database.init_app(app)
    derived.init_app(app)
    audit.init_app(app)  # the audit log's append-only guard
    outbox.init_app(app)
    csrf.init_app(app)
    babel.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    formatting.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    cli.init_app(app)
    register_blueprints(app)
    return app

"""kiosk: online services and waiting-room check-in for a GP surgery."""

import peewee as pw
from flask import Flask, g, request
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

from kiosk import config
from kiosk.db import database, open_database, release_connection

csrf = CSRFProtect()
compress = Compress()


def create_app(overrides: dict | None = None) -> Flask:
    # No default /static route: assets are served only through kiosk.assets (hashed, compressed, access-ruled).
    app = Flask(__name__, static_folder=None)
    app.config.update(config.load())
    app.config.update(overrides or {})

    database.initialize(open_database(app.config["DATABASE_URL"], pooled=True))

    from kiosk import assets, cli, errors, faults, filters, i18n, passwords
    from kiosk.access import can, current_actor, load_request_identity
    from kiosk.request_guards import IdConverter, refuse_unreadable_requests
    from kiosk.routes import register_blueprints
    from kiosk.security import add_security_headers
    from kiosk.sessions import ServerSessionInterface

    app.session_interface = ServerSessionInterface()
    i18n.register(app)
    compress.init_app(app)

    manifest = app.config.get("ASSET_MANIFEST") or assets.load_manifest()
    app.config["ASSET_MANIFEST"] = manifest
    app.config["ASSET_FILES"] = frozenset(manifest.values())
    app.config["ASSET_ICON"] = assets.inline_icon(manifest)

    # The first hook: a request no page could have sent is refused before the database or any form sees it.
    app.before_request(refuse_unreadable_requests)
    # Every <int:...> in a rule is an id; bounded, so a number no row can have is a 404 (before the rules are added).
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _open_connection():
        # The health check connects for itself, so that an unreachable database is its 503 and not a 500 here.
        if request.endpoint != "health.healthz":
            database.connect(reuse_if_open=True)

    # Registered after the connection opens; the session is read lazily, so identity comes from a second hook.
    app.before_request(load_request_identity)
    # CSRF is checked after identity is known, so a refused form can answer for who sent it (a kiosk starts again).
    csrf.init_app(app)

    @app.teardown_request
    def _close_connection(exc):
        release_connection(discard=isinstance(exc, pw.DatabaseError) or g.get("database_failed", False))

    app.after_request(add_security_headers)
    app.jinja_env.globals.update(
        asset_url=assets.asset_url, icon_url=assets.icon_url, current_actor=current_actor, can=can
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _identity():
        scope = g.get("scope")
        return {
            # Whose things a patient page is about: a proxy reads "Sophie’s requests", never "your requests".
            "whose": "your" if scope is None or scope.is_self else f"{scope.patient.given_name}’s",
            "staff": g.get("staff"),
            "kiosk_device": g.get("kiosk"),
            "account": g.get("account"),
            "scope": g.get("scope"),
            "scopes": g.get("scopes"),
        }

    register_blueprints(app)
    errors.register(app)
    faults.register(app)
    passwords.limit_hashing(app.config["HASHING_AT_ONCE"], app.config["HASHING_WAIT_SECONDS"])
    filters.register(app)
    cli.register(app)
    return app

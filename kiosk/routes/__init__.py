"""Routes by audience: public/, checkin/, patient/, staff/. Each package lists its blueprints."""


def register_blueprints(app):
    from kiosk import assets
    from kiosk.routes import checkin, patient, public, staff

    app.register_blueprint(assets.bp)
    for audience in (public, checkin, patient, staff):
        for blueprint in audience.BLUEPRINTS:
            app.register_blueprint(blueprint)

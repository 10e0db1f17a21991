def register_blueprints(app):
    from kiosk import assets
    from kiosk.routes import arrivals, health, home, kiosk, kiosks_admin, staff_accounts, staff_auth

    for module in (assets, health, home, kiosk, staff_auth, staff_accounts, kiosks_admin, arrivals):
        app.register_blueprint(module.bp)

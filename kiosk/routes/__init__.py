def register_blueprints(app):
    from kiosk import assets
    from kiosk.routes import (
        appointments,
        arrivals,
        diary,
        health,
        home,
        kiosk,
        kiosks_admin,
        online_access,
        patient_auth,
        patient_list,
        practice_admin,
        practice_settings,
        prescriptions,
        record,
        reports,
        staff_accounts,
        staff_auth,
        staff_prescriptions,
        staff_record,
    )

    blueprints = (
        assets,
        health,
        home,
        kiosk,
        staff_auth,
        staff_accounts,
        kiosks_admin,
        arrivals,
        online_access,
        patient_list,
        patient_auth,
        reports,
        prescriptions,
        staff_prescriptions,
        record,
        staff_record,
        appointments,
        diary,
        practice_admin,
        practice_settings,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)

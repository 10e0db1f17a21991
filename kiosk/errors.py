import peewee as pw
from flask import current_app, g, request, url_for
from flask_wtf.csrf import CSRFError

from kiosk import faults
from kiosk.rendering import from_htmx, redirect_page, render


def register(app):
    @app.errorhandler(404)
    def not_found(_e):
        return render("errors/404.html", status=404)

    @app.errorhandler(pw.DoesNotExist)
    def no_such_row(_e):
        # Every lookup is scoped to the practice (and the patient), so a row that is not found here is either gone
        # or someone else's: both answer exactly as a page that never existed.
        return render("errors/404.html", status=404)

    @app.errorhandler(405)
    def not_allowed(_e):
        return render("errors/404.html", status=405)

    @app.errorhandler(400)
    def bad_request(_e):
        return render("errors/400.html", status=400)

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        # The form was stale, reused or forged: change nothing and ask for a fresh start.
        if g.get("kiosk") is not None or request.blueprint == "checkin":
            if from_htmx():
                # A kiosk's stale page is usually someone else's (or a start screen whose session lapsed): the next
                # patient gets a fresh check-in with a new token, not an error about a page they never saw.
                return redirect_page(url_for("checkin.start"))
            return render("errors/csrf_kiosk.html", status=400)
        return render("errors/csrf.html", status=400)

    @app.errorhandler(413)
    def too_large(_e):
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return render("errors/too_large.html", status=413, limit_mb=max(1, limit // (1024 * 1024) - 1))

    @app.errorhandler(500)
    def server_error(e):
        # A full disk found while opening or saving the session lands here, outside the view's own handlers.
        if faults.is_disk_full(getattr(e, "original_exception", None)):
            return faults.disk_full_response()
        return render("errors/500.html", status=500)

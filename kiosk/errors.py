from flask_wtf.csrf import CSRFError

from kiosk.rendering import render


def register(app):
    @app.errorhandler(404)
    def not_found(_e):
        return render("errors/404.html", status=404)

    @app.errorhandler(405)
    def not_allowed(_e):
        return render("errors/404.html", status=405)

    @app.errorhandler(CSRFError)
    def csrf_failed(_e):
        # The form was stale, reused or forged: change nothing and ask for a fresh start.
        return render("errors/csrf.html", status=400)

    @app.errorhandler(413)
    def too_large(_e):
        return render("errors/too_large.html", status=413)

    @app.errorhandler(500)
    def server_error(_e):
        return render("errors/500.html", status=500)

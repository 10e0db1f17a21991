"""The app as served in production, plus a bare 'hello' route to measure against (bench only)."""

from kiosk import create_app
from kiosk.access import public

app = create_app()


@app.get("/bench/hello")
@public
def hello():
    return "hello"

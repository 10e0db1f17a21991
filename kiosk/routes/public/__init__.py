"""Pages anyone may open: the start page and the health check."""

from kiosk.routes.public import health, home, language

BLUEPRINTS = (
    home.bp,
    health.bp,
    language.bp,
)

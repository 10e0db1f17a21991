from kiosk.clock import to_local


def local_time(value, seconds=False):
    return to_local(value).strftime("%H:%M:%S" if seconds else "%H:%M")


def local_datetime(value):
    return to_local(value).strftime("%-d %b %Y %H:%M")


def waited(delta):
    """A time waited, as a person would say it: 3 hours, 2 days."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def register(app):
    app.add_template_filter(local_time)
    app.add_template_filter(local_datetime)
    app.add_template_filter(waited)

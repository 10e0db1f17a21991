from kiosk.clock import to_local


def local_time(value, seconds=False):
    return to_local(value).strftime("%H:%M:%S" if seconds else "%H:%M")


def local_datetime(value):
    return to_local(value).strftime("%-d %b %Y %H:%M")


def register(app):
    app.add_template_filter(local_time)
    app.add_template_filter(local_datetime)

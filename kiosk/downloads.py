"""Files the site hands over for download: a letter's attachment, to the patient (R5) or to staff."""

import io

from flask import send_file

from kiosk.models import LetterAttachment


def send_attachment(item: LetterAttachment):
    response = send_file(
        io.BytesIO(bytes(item.data)), mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
    response.headers["Cache-Control"] = "no-store"
    # An uploaded file is never run as a page of this site.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response

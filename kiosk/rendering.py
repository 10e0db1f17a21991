"""The one place that decides between a whole page and an htmx fragment, and the only reader of HX-* headers."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request that is not a boosted navigation wants only the block it swaps."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def render(template: str, *, block: str | None = None, status: int = 200, **context):
    """Render the page, or only `block` of it for an htmx swap. The same URL serves both, so responses vary."""
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def render_form_errors(template: str, form, **context):
    """A form that failed validation: the same page, an error summary, and a title that starts 'Error: '."""
    return render(template, form=form, has_errors=True, **context)

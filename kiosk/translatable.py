"""Text written in English where it arises and translated where it is shown. Services may not import Flask (so
neither Flask-Babel): they mark their messages, and the route or form that shows one passes it through gettext.

`pybabel extract -k N_ -k Text` (make messages) finds both kinds.
"""


def N_(text: str) -> str:  # noqa: N802 - the conventional name, which the extractor looks for
    """A message to translate later, as it stands."""
    return text


class Text(str):
    """English text made from a message and its values ("Wait 5 minutes ..."), which still knows both, so that a page
    can show it in another language. Everywhere else it is the English string it reads as."""

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text

"""Services: the only code that writes. Each operation is one transaction and raises DomainError on refusal."""


class DomainError(Exception):
    """A refusal the person can act on; the message is safe to show."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

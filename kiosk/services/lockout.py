"""Failed sign-ins counted per account, never per address: a surgery's kiosks and PCs share one."""

from datetime import timedelta

from flask import current_app


def count_failure(model, row_id: int, now) -> None:
    """Add one failure; the tenth locks the account for LOCKOUT_MINUTES.

    Incremented and read back in one statement, so failures racing in two workers all count.
    """
    rows = list(
        model.update(failed_attempts=model.failed_attempts + 1)
        .where(model.id == row_id)
        .returning(model.failed_attempts)
        .tuples()
        .execute()
    )
    if rows and rows[0][0] >= current_app.config["LOCKOUT_ATTEMPTS"]:
        until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
        model.update(failed_attempts=0, locked_until=until).where(model.id == row_id).execute()


def clear(model, row_id: int) -> None:
    model.update(failed_attempts=0, locked_until=None).where(model.id == row_id).execute()

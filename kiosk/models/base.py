import peewee as pw

from kiosk.clock import utcnow
from kiosk.db import database


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class PracticeScoped(BaseModel):
    """Every row belongs to a practice; queries go through for_practice() so the scope is never forgotten."""

    @classmethod
    def for_practice(cls, practice_id: int):
        return cls.select().where(cls.practice == practice_id)

    @classmethod
    def get_in_practice(cls, practice_id: int, object_id):
        """The row if it is this practice's, else DoesNotExist: a foreign id looks exactly like a missing one."""
        return cls.get((cls.practice == practice_id) & (cls.id == object_id))


def created_at_field():
    return pw.DateTimeField(default=utcnow)

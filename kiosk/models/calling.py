import peewee as pw

from kiosk.models.appointments import Appointment
from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser


class Ticket(PracticeScoped):
    """The number a patient is given at check-in, so the waiting room calls a number and never a name.

    Numbers start at 1 each day in each practice; the unique index on (practice, day, number) is what keeps two
    check-ins at the same moment from sharing one."""

    practice = pw.ForeignKeyField(Practice, backref="tickets", on_delete="CASCADE")
    appointment = pw.ForeignKeyField(Appointment, backref="tickets", on_delete="CASCADE", unique=True)
    day = pw.DateField()  # Europe/London
    number = pw.IntegerField()
    issued_at = created_at_field()

    class Meta:
        indexes = ((("practice", "day", "number"), True),)


class Call(PracticeScoped):
    """A patient called in: by ticket number to a room, which is all the calling display may show."""

    practice = pw.ForeignKeyField(Practice, backref="calls", on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, backref="calls", on_delete="CASCADE")
    number = pw.IntegerField()
    room = pw.CharField(max_length=80)
    called_at = created_at_field()
    called_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")

    class Meta:
        indexes = ((("practice", "called_at"), False),)

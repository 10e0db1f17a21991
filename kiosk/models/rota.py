import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Clinician
from kiosk.models.practice import Practice

WEEKDAYS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday", 5: "Saturday", 6: "Sunday"}


class RotaTemplate(PracticeScoped):
    """A clinician's usual week, from one date to another (no end date: until it is changed)."""

    practice = pw.ForeignKeyField(Practice, backref="rota_templates", on_delete="CASCADE")
    clinician = pw.ForeignKeyField(Clinician, backref="rota_templates", on_delete="CASCADE")
    room = pw.CharField(max_length=80, default="")
    starts_on = pw.DateField()
    ends_on = pw.DateField(null=True)
    created_at = created_at_field()

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class RotaSession(PracticeScoped):
    """One session of a template's week: London wall-clock times, cut into slots of one length and type."""

    practice = pw.ForeignKeyField(Practice, backref="rota_sessions", on_delete="CASCADE")
    template = pw.ForeignKeyField(RotaTemplate, backref="sessions", on_delete="CASCADE")
    weekday = pw.IntegerField()  # 0 Monday .. 6 Sunday
    starts = pw.TimeField()
    ends = pw.TimeField()
    length_minutes = pw.IntegerField()
    kind = pw.CharField(max_length=20)
    released_online = pw.BooleanField(default=False)

    @property
    def weekday_label(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def times_label(self) -> str:
        return f"{self.starts:%H:%M} to {self.ends:%H:%M}"


class Closure(PracticeScoped):
    """A day off for one clinician, or the whole practice closed (clinician empty): all day, or between two times."""

    practice = pw.ForeignKeyField(Practice, backref="closures", on_delete="CASCADE")
    clinician = pw.ForeignKeyField(Clinician, backref="closures", null=True, on_delete="CASCADE")
    day = pw.DateField()
    starts = pw.TimeField(null=True)
    ends = pw.TimeField(null=True)
    reason = pw.CharField(max_length=120)
    created_at = created_at_field()

    class Meta:
        indexes = ((("practice", "day"), False),)

    @property
    def all_day(self) -> bool:
        return self.starts is None

    @property
    def times_label(self) -> str:
        return "All day" if self.all_day else f"{self.starts:%H:%M} to {self.ends:%H:%M}"

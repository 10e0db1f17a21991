"""Who is acting: a member of staff, a patient or proxy, an enrolled kiosk, nobody signed in, or the system itself.

Services take an Actor and never read the request, so one service serves a page, a command and a test alike.
kiosk.access builds the Actor for a request; nothing here imports Flask (an import-linter contract holds that).
"""

import hashlib
from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["staff", "patient", "kiosk", "anonymous", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None
    name: str
    role: str  # the staff role; patient or proxy; kiosk; system
    practice_id: int | None
    device: str
    source: str = ""  # the network address, for limits on guessing; shared by every PC in a surgery

    @classmethod
    def staff(cls, staff_id: int, name: str, role: str, practice_id: int, device: str, source: str = "") -> "Actor":
        return cls("staff", staff_id, name, role, practice_id, device, source)

    @classmethod
    def patient(
        cls, account_id: int, name: str, practice_id: int, device: str, source: str = "", *, proxy: bool = False
    ) -> "Actor":
        """The signed-in account holder; a proxy when they act for someone else."""
        return cls("patient", account_id, name, "proxy" if proxy else "patient", practice_id, device, source)

    @classmethod
    def kiosk(cls, kiosk_id: int, name: str, practice_id: int, device: str, source: str = "") -> "Actor":
        return cls("kiosk", kiosk_id, name, "kiosk", practice_id, device, source)

    @classmethod
    def anonymous(cls, device: str, source: str = "") -> "Actor":
        return cls("anonymous", None, "", "", None, device, source)

    @classmethod
    def system(cls, practice_id: int | None, name: str = "system", device: str = "command line") -> "Actor":
        """A command or the demo loader acting for a practice (None: for the installation as a whole)."""
        return cls("system", None, name, "system", practice_id, device)


def token_digest(token: str) -> str:
    """The SHA-256 kept in place of a kiosk's secret token: a copied database enrols no device."""
    return hashlib.sha256(token.encode()).hexdigest()

"""What the database holds, as text: where a secret would show if it were kept anywhere (R2: keys only as hashes)."""

from kiosk.db import database


def everything_stored() -> str:
    rows = []
    for table in database.get_tables():
        # Table names come from the database's own catalogue, not from input.
        query = f'SELECT * FROM "{table}"'  # noqa: S608
        rows.extend(repr(row) for row in database.execute_sql(query).fetchall())
    return "\n".join(rows)

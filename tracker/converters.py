"""URL parts: a record's number, up to what the databases can hold.

An id of more digits than a 64-bit integer can hold is no record of ours: the URL
does not match (404) instead of reaching the database, where SQLite's driver raises
OverflowError and PostgreSQL a range error.
"""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))

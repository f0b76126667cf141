"""Many rows into one table, as fast as each database takes them: for seeding and indexing.

SQLAlchemy's executemany builds a parameter dictionary per row, which costs more than the
insert itself at a million rows. Here rows are plain tuples in the table's column order:
PostgreSQL takes them by COPY, SQLite by the driver's own executemany. Values go through the
columns' types first, so dates and timestamps are stored exactly as the ORM stores them.
"""

from collections.abc import Sequence

from sqlalchemy import Table

from app.extensions import db


def insert_rows(
    table: Table, columns: Sequence[str], rows: Sequence[tuple], *, ignore_duplicates: bool = False
) -> None:
    """Insert `rows` (tuples of `columns`' values) into `table`, in the session's transaction.

    `ignore_duplicates`: rows whose primary key is already there are skipped (PostgreSQL
    then copies into a temporary table first).
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [table.c[name].type.bind_processor(dialect) for name in columns]
    if any(processors):
        rows = [
            tuple(p(v) if p and v is not None else v for p, v in zip(processors, row, strict=True))
            for row in rows
        ]
    cursor = connection.connection.driver_connection.cursor()
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        target = table.name
        if ignore_duplicates:
            target = f"bulk_{table.name}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} (LIKE {table.name} INCLUDING DEFAULTS)"
                " ON COMMIT DROP"
            )
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_duplicates:
            cursor.execute(  # names from our own table definitions, never from input
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target}"  # noqa: S608
                " ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")
    else:
        verb = "INSERT OR IGNORE" if ignore_duplicates else "INSERT"
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"{verb} INTO {table.name} ({names}) VALUES ({marks})", rows)

"""The user store: one SQLite table, standard library only.

Each call opens its own connection, so the functions are safe to call
from FastAPI's thread pool and from Celery's worker threads.
"""

import sqlite3
from contextlib import closing

from .config import DATABASE_PATH

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
)
"""


class EmailTaken(Exception):
    """A user with this email address exists already."""


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DATABASE_PATH, timeout=5)
    conn.row_factory = sqlite3.Row
    conn.execute(SCHEMA)
    return conn


def create_user(email: str, name: str) -> dict:
    # closing() closes the connection; "with conn" commits (or rolls back)
    with closing(connect()) as conn, conn:
        try:
            cur = conn.execute(
                "INSERT INTO users (email, name) VALUES (?, ?)", (email, name)
            )
        except sqlite3.IntegrityError:
            raise EmailTaken(email) from None
        return {"id": cur.lastrowid, "email": email, "name": name}


def get_user(user_id: int) -> dict | None:
    with closing(connect()) as conn:
        row = conn.execute(
            "SELECT id, email, name FROM users WHERE id = ?", (user_id,)
        ).fetchone()
    return dict(row) if row else None


def rename_user(user_id: int, name: str) -> dict | None:
    with closing(connect()) as conn, conn:
        conn.execute(
            "UPDATE users SET name = ? WHERE id = ?", (name, user_id)
        )
    return get_user(user_id)

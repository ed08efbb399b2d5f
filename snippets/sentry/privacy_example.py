"""Code that is careless with secrets: privacy snippets report its error."""

import logging

log = logging.getLogger("auth")


def connect(host: str, password: str, api_token: str, db_passwd: str) -> None:
    settings = {"host": host, "password": password}
    log.warning("login to %s failed with password %s", host, password)
    raise ConnectionError(f"cannot reach {settings['host']}")

"""The web tests' app and database fixtures, one of each per engine."""

from tests.web.conftest import app, apps, database, settings  # noqa: F401

"""Public pages: the start page and the health check."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from qms.store.db import Database
from qms.store.migrate import schema_watch
from qms.web.auth import public
from qms.web.deps import HttpRequest
from qms.web.render import page


class HomeController(Controller):
    @get("/", name="home", sync_to_thread=False)
    def home(self, request: HttpRequest) -> Template:
        return page("public/home.html", {}, request=request)


class HealthController(Controller):
    @get("/ping", name="ping", sync_to_thread=False, cache=False, opt=public(look_up_user=False))
    def ping(self) -> str:
        """Liveness without the database: what a proxy asks, and the baseline the
        benchmarks compare the hot pages with."""
        return "ok"

    @get("/healthz", name="healthz", sync_to_thread=True, cache=False)
    def healthz(self, request: HttpRequest) -> Response[dict[str, str]]:
        database: Database = request.app.state.db
        if not database.ping():
            return Response(
                {"status": "error", "database": "unreachable"},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
                # As every other answer during an outage (qms/app.py): when to ask again.
                headers={"Retry-After": "10"},
            )
        # A server started on the right schema can still find it changed (a downgrade, an
        # old backup restored): every page would then fail, so the health check says why.
        problem = schema_watch(database).problem()
        if problem is not None:
            return Response(
                {"status": "error", "database": "ok", "schema": problem},
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok"}, status_code=HTTP_200_OK)

"""The application factory. `qms.app:app` exists only for ASGI servers."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Response, Router
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from litestar.template.config import TemplateConfig
from sqlalchemy.exc import DBAPIError

from qms import __version__, i18n
from qms.i18n import N_
from qms.paths import static_dir
from qms.settings import Settings
from qms.store.db import Database, is_busy, is_outage
from qms.store.errors import Conflict, GroupNotInCycle, NotFound, StoreError
from qms.web.access import check_cycle_routes, cycle_router
from qms.web.account import AccountController
from qms.web.admin_directory import AdminDirectoryController
from qms.web.admin_users import AdminUsersController
from qms.web.api import API_COMPONENTS, ApiController
from qms.web.auth import (
    SignInRequired,
    authorise,
    on_sign_in_required,
    provide_principal,
    public,
    requires,
)
from qms.web.codes import CodesController
from qms.web.collections import CollectionController
from qms.web.comments import CommentsController
from qms.web.compare import CompareController
from qms.web.consensus import ConsensusController
from qms.web.cycles import CycleController, NewCycleController
from qms.web.deps import HttpRequest, provide_db, provide_settings
from qms.web.exports import ExportController
from qms.web.ids import check_path_ids
from qms.web.network_exports import NetworkExportController
from qms.web.networks import NetworkController
from qms.web.pages import HealthController, HomeController
from qms.web.paper import PaperController
from qms.web.plan import PlanController
from qms.web.render import error_page, set_request_language, template_engine
from qms.web.respond.answer import AnswerController
from qms.web.respond.preview import PreviewController
from qms.web.results import ResultsController
from qms.web.security import (
    CsrfFailed,
    SessionCodec,
    SessionMiddleware,
    add_security_headers,
    check_csrf,
)
from qms.web.sharing import SharingController
from qms.web.staff import StaffController
from qms.web.tokens import TokenController

log = logging.getLogger("qms")


def _on_server_error(request: HttpRequest, exc: Exception) -> Response[Any]:
    # The traceback belongs in the server log; the person gets a calm page without it.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


def _on_http_error(request: HttpRequest, exc: HTTPException) -> Response[Any]:
    if exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("server error on %s %s: %s", request.method, request.url.path, exc.detail)
    return error_page(request, exc.status_code, headers=exc.headers)


# What a store failure that no handler turned into a message means for the request: the
# page's usual error page (JSON under /api) with this status, as if the handler had
# raised the HTTP error itself. Any other StoreError is a request the web layer should
# have checked first, so it stays a server error.
STORE_ERROR_STATUS: dict[type[StoreError], int] = {
    NotFound: 404,
    GroupNotInCycle: 404,
    Conflict: 409,
}


def _on_store_error(request: HttpRequest, exc: StoreError) -> Response[Any]:
    for kind in type(exc).__mro__:
        if kind in STORE_ERROR_STATUS:
            return error_page(request, STORE_ERROR_STATUS[kind])
    return _on_server_error(request, exc)


UNAVAILABLE = N_(
    "The service is unavailable for a moment. What you saved before is kept."
    " Please try again in a minute."
)
RETRY_AFTER = "10"  # seconds: a database restart takes a few


def _unavailable(request: HttpRequest) -> Response[Any]:
    headers = {"Retry-After": RETRY_AFTER}
    response = error_page(request, HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(response, Template):
        response.context["message"] = UNAVAILABLE
        return response
    return Response(  # /api and /healthz, as /healthz says it when it checks itself
        {"status_code": 503, "detail": "The database cannot be reached; try again shortly."},
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers=headers,
    )


def _on_database_error(request: HttpRequest, exc: DBAPIError) -> Response[Any]:
    """The database out of reach: 503 with Retry-After for every request (a respondent's
    page shows the answer as not saved and offers to try again), and one warning per
    outage instead of a traceback per request; the pool reconnects by itself
    (pool_pre_ping) and the first new connection ends the outage (qms.store.db)."""
    database: Database = request.app.state.db
    if is_outage(exc):
        if database.outage.begin():
            reason = str(exc.orig or exc).strip().splitlines()[0]
            log.warning("database unreachable, answering 503 until it is back: %s", reason)
        return _unavailable(request)
    if is_busy(exc):
        # Worth a retry too, but a writer held SQLite's lock past the busy timeout: the
        # traceback helps find which.
        log.error("database busy on %s %s", request.method, request.url.path, exc_info=exc)
        return _unavailable(request)
    return _on_server_error(request, exc)


def _on_csrf_failed(request: HttpRequest, exc: CsrfFailed) -> Response[Any]:
    response = error_page(request, exc.status_code)
    if isinstance(response, Template):
        response.context["message"] = exc.message
    return response


def create_app(settings: Settings) -> Litestar:
    db = Database(settings.database_url)

    def dispose() -> None:
        db.dispose()

    app = Litestar(
        route_handlers=[
            # Every route declares who may use it (qms.web.auth); these are for everyone.
            Router(
                path="/",
                route_handlers=[HomeController, HealthController],
                opt=public(),
            ),
            create_static_files_router(
                path="/static",
                directories=[static_dir()],
                name="static",
                opt=public(look_up_user=False),
            ),
            AccountController,
            StaffController,
            NewCycleController,
            NetworkController,
            # Every page and action of one cycle: the router's `cycle` dependency loads
            # the cycle and checks the permission each route declares (qms.web.access).
            cycle_router(
                [
                    CycleController,
                    CollectionController,
                    ConsensusController,
                    SharingController,
                    ResultsController,
                    CommentsController,
                    ExportController,
                    CompareController,
                    PlanController,
                    CodesController,
                    PaperController,
                ]
            ),
            AdminDirectoryController,
            AdminUsersController,
            PreviewController,
            AnswerController,
            ApiController,
            TokenController,
            NetworkExportController,
        ],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(
                SessionMiddleware,
                codec=SessionCodec(settings.secret_key, settings.previous_secret_keys),
            )
        ],
        # Out-of-range ids first: no later guard or dependency may query with one.
        guards=[check_path_ids, check_csrf, authorise],
        before_send=[add_security_headers],
        before_request=set_request_language,
        # Checking every template file's mtime on each render is a development aid; in
        # production the templates change only with a new release, which restarts.
        template_config=TemplateConfig(instance=template_engine(auto_reload=settings.debug)),
        exception_handlers={
            SignInRequired: on_sign_in_required,
            CsrfFailed: _on_csrf_failed,
            NotFoundException: _on_http_error,
            HTTPException: _on_http_error,
            StoreError: _on_store_error,
            DBAPIError: _on_database_error,
            Exception: _on_server_error,
        },
        # Only the JSON schema: the documentation UIs load scripts the CSP forbids. It
        # describes the staff API, so it is for signed-in people.
        openapi_config=OpenAPIConfig(
            title="qms",
            version=__version__,
            render_plugins=[JsonRenderPlugin(path="/openapi.json")],
            components=API_COMPONENTS,
            openapi_router=Router(path="/schema", route_handlers=[], opt=requires("staff.home")),
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=500),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
            disable_stack_trace={404, 400, 401, 403, 405, 429},
        ),
        on_shutdown=[dispose],
        debug=settings.debug,
    )
    check_cycle_routes(app)  # fails here, not on a request, if one would skip its check
    app.state.settings = settings
    app.state.db = db
    app.state.languages = i18n.LANGUAGES
    return app


def __getattr__(name: str) -> Litestar:
    # Servers import `qms.app:app`; building it lazily keeps importing qms.app side-effect free.
    if name == "app":
        return create_app(Settings.from_env())
    raise AttributeError(name)

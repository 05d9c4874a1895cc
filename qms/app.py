"""The application factory. `qms.app:app` exists only for ASGI servers."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.logging import LoggingConfig
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig

from qms.paths import data_dir, static_dir
from qms.settings import Settings
from qms.store.db import Database
from qms.web import i18n
from qms.web.deps import provide_db, provide_settings
from qms.web.pages import HealthController, HomeController
from qms.web.render import configure_jinja, error_page, set_request_language

log = logging.getLogger("qms")


def _on_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The traceback belongs in the server log; the person gets a calm page without it.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


def _on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("server error on %s %s: %s", request.method, request.url.path, exc.detail)
    return error_page(request, exc.status_code, headers=exc.headers)


def create_app(settings: Settings) -> Litestar:
    db = Database(settings.database_url)

    def dispose() -> None:
        db.dispose()

    app = Litestar(
        route_handlers=[
            HomeController,
            HealthController,
            create_static_files_router(path="/static", directories=[static_dir()], name="static"),
        ],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        before_request=set_request_language,
        template_config=TemplateConfig(
            directory=data_dir("templates"),
            engine=JinjaTemplateEngine,
            engine_callback=configure_jinja,
        ),
        exception_handlers={
            NotFoundException: _on_http_error,
            HTTPException: _on_http_error,
            Exception: _on_server_error,
        },
        compression_config=CompressionConfig(backend="gzip", minimum_size=500),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
            disable_stack_trace={404, 400, 401, 403, 405, 429},
        ),
        on_shutdown=[dispose],
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.languages = i18n.LANGUAGES
    return app


def __getattr__(name: str) -> Litestar:
    # Servers import `qms.app:app`; building it lazily keeps importing qms.app side-effect free.
    if name == "app":
        return create_app(Settings.from_env())
    raise AttributeError(name)

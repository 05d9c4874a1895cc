"""Jinja set-up, the request's language, and the error page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from qms import i18n
from qms.i18n import N_
from qms.presentation.templates import make_jinja_env
from qms.web.deps import HttpRequest
from qms.web.urls import path_for

LANG_COOKIE = "qms_lang"


def template_engine(*, auto_reload: bool = False) -> JinjaTemplateEngine:
    """Litestar's engine over the one environment of qms.presentation.templates, with
    what only a request has (the signed-in person, the CSRF field)."""
    from qms.web.ui import staff_globals

    env = make_jinja_env(staff_globals(), auto_reload=auto_reload)
    engine = JinjaTemplateEngine.from_environment(env)
    # Litestar registers its own `csrf_token` on the environment; ours (bound to the
    # session) is the one the forms check.
    env.globals.update(staff_globals())
    return engine


async def set_request_language(request: HttpRequest) -> None:
    lang = i18n.pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        i18n.LANGUAGES,
    )
    request.state.lang = lang
    i18n.current_language.set(lang)


def page(
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    request: HttpRequest | None = None,
) -> Template:
    """A full page; remembers an explicit `?lang=` choice in a cookie."""
    response = Template(template_name=name, context=dict(context or {}), status_code=status_code)
    if request is not None and (lang := request.query_params.get("lang")) in i18n.LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response


_ERROR_TITLES = {
    400: N_("The request could not be understood."),
    403: N_("You do not have access to this page."),
    404: N_("This page does not exist."),
    405: N_("This action is not allowed here."),
    410: N_("This questionnaire is closed. Thank you for your interest."),
    429: N_("Too many attempts. Please wait a minute and try again."),
}
_SERVER_ERROR = N_("Something went wrong on our side. Please try again.")
# The API's own conflicts (it only reads): a cycle with nothing released yet.
_API_DETAILS = {409: "Results appear when the cycle closes (or a group's collection closes)."}


def error_page(
    request: HttpRequest, status_code: int, headers: Mapping[str, str] | None = None
) -> Response[Any]:
    if request.url.path.startswith("/api/") or request.url.path == path_for(request, "healthz"):
        return Response(
            {
                "status_code": status_code,
                "detail": _API_DETAILS.get(status_code)
                or _ERROR_TITLES.get(status_code, "Server error"),
            },
            status_code=status_code,
            headers=dict(headers or {}),
        )
    if not hasattr(request.state, "lang"):
        # Unrouted requests (a 404) never ran the before-request hook.
        request.state.lang = i18n.pick_language(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            i18n.LANGUAGES,
        )
    i18n.current_language.set(request.state.lang)
    message = _ERROR_TITLES.get(status_code, _SERVER_ERROR)
    template = Template(
        template_name="error.html",
        context={"status_code": status_code, "message": message},
        status_code=status_code,
    )
    template.headers.update(headers or {})
    return template

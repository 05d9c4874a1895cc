"""Try a questionnaire as a respondent would, without an access code and without storing
anything: answers live in signed cookies (`previewstate`). Staff and testers use it, and
the browser tests drive the real respondent pages through it.

    GET  /preview                                   the questionnaires there are
    GET  /preview/{methodology}/{group}             the intro
    GET  /preview/{methodology}/{group}/{n}         section n (1-based); ?return=review
    POST /preview/{methodology}/{group}/{n}         save the section, then next / previous
    POST /preview/{methodology}/{group}/save/{item} htmx: save one answer as it is given
    GET  /preview/{methodology}/{group}/review      every answer, with links to change it
    POST /preview/{methodology}/{group}/review      "send" (checks required answers)
    GET  /preview/{methodology}/{group}/done        thank you
    POST /preview/{methodology}/{group}/restart     forget the preview's answers
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, TypeVar

from litestar import Controller, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from qms.i18n import N_
from qms.methodology import MethodologyError, discover, load_methodology
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Methodology, Questionnaire, Section
from qms.settings import Settings
from qms.web.auth import public
from qms.web.deps import HttpRequest
from qms.web.forms import FormData
from qms.web.render import page
from qms.web.respond import forms
from qms.web.respond.pages import HELPED_FIELD, Urls, easy_read, form_of
from qms.web.respond.previewstate import (
    MAX_CHUNKS,
    PreviewCodec,
    PreviewState,
    TooLarge,
    cookie_name,
)
from qms.web.respond.visit import Visit
from qms.web.security import cookie_is_secure

log = logging.getLogger("qms.respond")

R = TypeVar("R", bound=Response[Any])
_ID = re.compile(r"[a-z][a-z0-9_-]{0,99}\Z")
PREVIEW_FULL = N_("The preview cannot keep this much text. Please shorten your answers.")


def methodology_by_id(request: HttpRequest, methodology_id: str) -> Methodology:
    """Loaded once per process and kept on app.state (rebuildable, so no shared state that
    matters); 404 for an unknown or broken methodology, whose errors go to the log."""
    state = request.app.state
    cache: dict[str, Methodology] | None = getattr(state, "preview_methodologies", None)
    if cache is None:
        cache = {}
        state.preview_methodologies = cache
    if methodology_id in cache:
        return cache[methodology_id]
    settings: Settings = state.settings
    folder = settings.questionnaires / methodology_id
    # The id is checked before it becomes part of a path.
    if not _ID.match(methodology_id) or not (folder / "methodology.yaml").is_file():
        raise NotFoundException()
    try:
        methodology = load_methodology(folder)
    except MethodologyError as exc:
        log.error("methodology %s cannot be loaded: %s", methodology_id, exc)
        raise NotFoundException() from exc
    cache[methodology_id] = methodology
    return methodology


class _Preview(Visit):
    """One request's view of one previewed questionnaire."""

    preview = True

    def __init__(self, request: HttpRequest, methodology_id: str, group: str) -> None:
        self.request = request
        self.methodology = methodology_by_id(request, methodology_id)
        questionnaire = forms.questionnaire_of(self.methodology, group)
        if questionnaire is None:
            raise NotFoundException()
        self.questionnaire: Questionnaire = questionnaire
        settings = request.app.state.settings
        self.codec = PreviewCodec(settings.secret_key, settings.previous_secret_keys)
        self.easy, self.easy_cookie = easy_read(request)
        self.urls = Urls(request, "preview", {"methodology": methodology_id, "group": group})
        chunks = []
        for n in range(MAX_CHUNKS):
            if (chunk := request.cookies.get(self._cookie(n))) is None:
                break
            chunks.append(chunk)
        self.state = (
            self.codec.loads(self.methodology, questionnaire, chunks)
            if chunks
            else (PreviewState())
        )

    def _cookie(self, n: int) -> str:
        return cookie_name(self.methodology.id, self.questionnaire.group, n)

    def current(self) -> dict[str, AnswerValue]:
        return self.state.answers

    def helped(self) -> bool:
        return self.state.helped

    def store(self, state: PreviewState) -> dict[str, str] | None:
        """The cookies that hold `state`, or None when it is too large to keep."""
        try:
            chunks = self.codec.dumps(self.methodology.id, self.questionnaire.group, state)
        except TooLarge:
            return None
        self.state = state
        return {self._cookie(n): chunk for n, chunk in enumerate(chunks)}

    def finish(self, response: R, cookies: dict[str, str] | None = None) -> R:
        secure = cookie_is_secure(self.request.scope)
        for name, value in (cookies or {}).items():
            response.set_cookie(
                name,
                value,
                path=self.urls.base,
                httponly=True,
                samesite="lax",
                secure=secure,
                max_age=7 * 24 * 3600,
            )
        for n in range(MAX_CHUNKS):
            name = self._cookie(n)
            if cookies is not None and name not in cookies and name in self.request.cookies:
                response.delete_cookie(name, path=self.urls.base)
        if self.easy_cookie is not None:
            response.cookies.append(self.easy_cookie)
        return response

    def redirect(self, path: str, cookies: dict[str, str] | None = None) -> Redirect:
        return self.finish(Redirect(path, status_code=HTTP_303_SEE_OTHER), cookies)


def _too_large(submission: forms.Submission, section: Section) -> forms.Submission:
    """The submission with PREVIEW_FULL on its text answers (the only ones that grow)."""
    texts = [i.id for i in section.items if i.type == "text" and i.id in submission.answers]
    problem = forms.Problem(PREVIEW_FULL)
    errors = dict.fromkeys(texts or [section.items[0].id], problem)
    raw: dict[str, tuple[str, ...]] = {i: (str(submission.answers[i]),) for i in texts}
    return forms.Submission(submission.answers, errors, raw, submission.revealed)


Id = FromPath[str]


class PreviewController(Controller):
    path = "/preview"
    opt = public()

    @get("/", name="preview_index", sync_to_thread=True)
    def index(self, request: HttpRequest) -> Template:
        settings: Settings = request.app.state.settings
        found: list[tuple[Methodology, list[tuple[str, str]]]] = []
        lang: str = request.state.lang
        folders: list[Path] = discover(settings.questionnaires)
        for folder in folders:
            try:
                methodology = methodology_by_id(request, folder.name)
            except NotFoundException:
                continue
            groups = [
                (g.id, g.title.get(lang))
                for g in methodology.groups
                if g.id in methodology.questionnaires
            ]
            found.append((methodology, groups))
        easy, cookie = easy_read(request)
        response = page(
            "respond/preview_index.html",
            {"found": found, "easy": easy, "preview": True},
            request=request,
        )
        if cookie is not None:
            response.cookies.append(cookie)
        return response

    @get("/{methodology:str}/{group:str}", name="preview_intro", sync_to_thread=True)
    def intro(self, request: HttpRequest, methodology: Id, group: Id) -> Template:
        preview = _Preview(request, methodology, group)
        return preview.finish(preview.respondent().intro_page(request))

    @get("/{methodology:str}/{group:str}/{number:int}", name="preview_section", sync_to_thread=True)
    def section(
        self, request: HttpRequest, methodology: Id, group: Id, number: FromPath[int]
    ) -> Template:
        preview = _Preview(request, methodology, group)
        number = preview.section_number(number)
        back = request.query_params.get("return") == "review"
        response = preview.respondent().section_page(request, number, return_to_review=back)
        return preview.finish(response)

    @post(
        "/{methodology:str}/{group:str}/{number:int}",
        name="preview_section_save",
        sync_to_thread=True,
    )
    def submit_section(
        self,
        request: HttpRequest,
        methodology: Id,
        group: Id,
        number: FromPath[int],
        data: FormData,
    ) -> Response[Any]:
        preview = _Preview(request, methodology, group)
        number = preview.section_number(number)
        posted = preview.read_section(number, data)
        # The valid answers are kept even when others on the page have errors: a person
        # who leaves the page (a language link) loses only what was wrong.
        submission = posted.submission
        cookies = preview.store(PreviewState(submission.answers, preview.state.helped, False))
        if cookies is None:
            submission = _too_large(submission, preview.questionnaire.sections[number - 1])
        if not submission.ok:
            response = preview.respondent().section_page(
                request, number, submission=submission, return_to_review=posted.to_review
            )
            return preview.finish(response, cookies)
        return preview.redirect(preview.after(number, posted), cookies)

    @post(
        "/{methodology:str}/{group:str}/save/{item_id:str}",
        name="preview_save",
        sync_to_thread=True,
    )
    def save(
        self, request: HttpRequest, methodology: Id, group: Id, item_id: Id, data: FormData
    ) -> Template:
        preview = _Preview(request, methodology, group)
        if forms.section_of(preview.questionnaire, item_id) is None:
            raise NotFoundException()
        before = preview.state.answers
        answers, problem = forms.save_item(
            preview.methodology,
            preview.questionnaire,
            item_id,
            form_of(data),
            before,
            preview.lang,
        )
        cookies = None
        if problem is None:
            cookies = preview.store(PreviewState(answers, preview.state.helped, False))
            if cookies is None:
                answers, problem = dict(before), forms.Problem(PREVIEW_FULL)
        fragment = preview.respondent(answers).saved_fragment(request, item_id, problem, before)
        return preview.finish(fragment, cookies)

    @get("/{methodology:str}/{group:str}/review", name="preview_review", sync_to_thread=True)
    def review(self, request: HttpRequest, methodology: Id, group: Id) -> Template:
        preview = _Preview(request, methodology, group)
        return preview.finish(preview.respondent().review_page(request))

    @post("/{methodology:str}/{group:str}/review", name="preview_send", sync_to_thread=True)
    def send(
        self, request: HttpRequest, methodology: Id, group: Id, data: FormData
    ) -> Response[Any]:
        preview = _Preview(request, methodology, group)
        helped = forms.first(form_of(data), HELPED_FIELD) == "1"
        state = PreviewState(preview.state.answers, helped, False)
        missing = forms.missing_required(preview.questionnaire, state.answers)
        if missing:
            cookies = preview.store(state)
            response = preview.respondent().review_page(
                request, missing=tuple(item.id for _, item in missing)
            )
            return preview.finish(response, cookies)
        state.submitted = True
        return preview.redirect(preview.urls.done, preview.store(state))

    @get("/{methodology:str}/{group:str}/done", name="preview_done", sync_to_thread=True)
    def done(self, request: HttpRequest, methodology: Id, group: Id) -> Template:
        preview = _Preview(request, methodology, group)
        return preview.finish(preview.respondent().done_page(request))

    @post("/{methodology:str}/{group:str}/restart", name="preview_restart", sync_to_thread=True)
    def restart(self, request: HttpRequest, methodology: Id, group: Id) -> Response[Any]:
        preview = _Preview(request, methodology, group)
        return preview.redirect(preview.urls.intro, {})

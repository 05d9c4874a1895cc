"""The respondent's questionnaire behind an access code, saved in the database.

    POST /code                     the start page's form: check the code, go to /a/{code}
    GET  /a/{code}                 the intro (a first visit starts the response)
    GET  /a/{code}/{n}             section n; ?return=review
    POST /a/{code}/{n}             save the section, then next / previous
    POST /a/{code}/save/{item}     htmx: save one answer as it is given
    GET  /a/{code}/review          every answer, with links to change it
    POST /a/{code}/review          submit (checks required answers)
    GET  /a/{code}/done            thank you

Once submitted, a code only shows the thank-you page: answers can no longer change.
The same pages and forms serve the preview (qms.web.respond.preview); only where the
answers live differs.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST, HTTP_410_GONE
from litestar.types import ExceptionHandlersMap
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.methodology.answers import AnswerValue
from qms.store import codes
from qms.store.answers import load_answers
from qms.store.codes import CodeTarget
from qms.store.errors import Closed, GroupNotInCycle, StoreError
from qms.store.responses import replace_answers, set_answer, submit_response
from qms.web.auth import public
from qms.web.deps import HttpRequest
from qms.web.forms import FormData, text
from qms.web.render import page
from qms.web.respond import forms
from qms.web.respond.lookup import TooManyCodeAttempts, look_up_code
from qms.web.respond.pages import (
    HELPED_FIELD,
    Urls,
    easy_read,
    form_of,
)
from qms.web.respond.visit import Visit
from qms.web.urls import path_for

log = logging.getLogger("qms.respond")

UNKNOWN_CODE = N_("We do not know this code. Check it against your slip and try again.")
CLOSED = N_("This questionnaire is closed. Thank you for your interest.")
ENTER_CODE = N_("Enter the access code from your slip.")
TOO_MANY = N_("Too many attempts. Please wait a minute and try again.")

R = TypeVar("R", bound=Response[Any])
Code = FromPath[str]


def _home(request: HttpRequest, code: str, error: str, status: int) -> Template:
    return page(
        "public/home.html", {"code": code, "error": error}, status_code=status, request=request
    )


class _Answering(Visit):
    """One request's view of one respondent's stored response."""

    def __init__(
        self, request: HttpRequest, db: Session, typed: str, target: CodeTarget | None = None
    ) -> None:
        target = target or look_up_code(request, db, typed)
        if target is None:
            raise NotFoundException()
        self.request, self.db, self.target = request, db, target
        self.easy, self.easy_cookie = easy_read(request)
        self.urls = Urls(request, "answer", {"code": codes.format_code(target.code)})
        self.methodology = codes.target_methodology(db, target)
        self.response: Any = None  # the ORM row, loaded only to write
        questionnaire = forms.questionnaire_of(self.methodology, target.group_id)
        if questionnaire is None:
            raise NotFoundException()
        self.questionnaire = questionnaire
        self.answers: dict[str, AnswerValue] = (
            load_answers(db, [target.response_id])[target.response_id]
            if target.response_id is not None
            else {}
        )

    def current(self) -> dict[str, AnswerValue]:
        return self.answers

    def helped(self) -> bool:
        return self.target.proxy

    def started(self) -> Any:
        """The response, created on the first visit (an open link moves to a new code)."""
        if self.response is None and self.target.response_id is not None:
            self.response = codes.response_of(self.db, self.target)
        if self.response is None:
            try:
                code, self.response = codes.start(self.db, self.target)
            except GroupNotInCycle:
                # A code made before its group was left out of the cycle: it opens
                # nothing, as if the questionnaire were closed.
                self.db.rollback()
                raise HTTPException(status_code=HTTP_410_GONE) from None
            self.db.commit()
            self.urls = Urls(self.request, "answer", {"code": codes.format_code(code)})
        return self.response

    def blocked(self) -> Response[Any] | None:
        """Where a finished or closed questionnaire sends the person instead."""
        if self.target.submitted:
            return self.redirect(self.urls.done)
        if not self.target.cycle_open:
            return self.finish(
                page(
                    "respond/closed.html",
                    {"message": CLOSED},
                    status_code=410,
                    request=self.request,
                )
            )
        return None

    def save(self, answers: dict[str, AnswerValue]) -> None:
        replace_answers(self.db, self.started(), answers)
        self.db.commit()
        self.answers = answers

    def finish(self, response: R) -> R:
        if self.easy_cookie is not None:
            response.cookies.append(self.easy_cookie)
        return response

    def redirect(self, path: str) -> Redirect:
        return self.finish(Redirect(path, status_code=HTTP_303_SEE_OTHER))


def _on_closed(request: HttpRequest, _exc: Closed) -> Response[Any]:
    """The cycle or the group's collection closed between the page's check and the
    write: the page a request sent after the close gets."""
    return page("respond/closed.html", {"message": CLOSED}, status_code=410, request=request)


_HANDLERS: ExceptionHandlersMap = {Closed: _on_closed}


class AnswerController(Controller):
    opt = public(look_up_user=False)
    exception_handlers = _HANDLERS

    @post("/code", name="enter_code", sync_to_thread=True)
    def enter(
        self, request: HttpRequest, db: NamedDependency[Session], data: FormData
    ) -> Response[Any]:
        typed = text(data, "code")
        if not typed:
            return _home(request, typed, ENTER_CODE, 422)
        try:
            target = look_up_code(request, db, typed)
        except TooManyCodeAttempts:
            return _home(request, typed, TOO_MANY, 429)
        if target is None:
            return _home(request, typed, UNKNOWN_CODE, 422)
        if not target.cycle_open and not target.submitted:
            return _home(request, typed, CLOSED, 410)
        base = path_for(request, "answer_intro", code=codes.format_code(target.code))
        if target.response_id is not None and not target.submitted:
            # Coming back (another day, another browser): straight to where they stopped.
            answering = _Answering(request, db, typed, target)
            resume = forms.resume_section(answering.questionnaire, answering.answers)
            if resume is not None:
                return Redirect(answering.urls.section(resume), status_code=HTTP_303_SEE_OTHER)
            if answering.answers:
                return Redirect(answering.urls.review, status_code=HTTP_303_SEE_OTHER)
        return Redirect(base, status_code=HTTP_303_SEE_OTHER)

    @get("/a/{code:str}", name="answer_intro", sync_to_thread=True)
    def intro(
        self, request: HttpRequest, db: NamedDependency[Session], code: Code
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        before = answering.urls.base
        answering.started()
        if answering.urls.base != before:  # an open link: go to the personal code
            return answering.redirect(answering.urls.intro)
        return answering.finish(answering.respondent().intro_page(request))

    @get("/a/{code:str}/{number:int}", name="answer_section", sync_to_thread=True)
    def section(
        self, request: HttpRequest, db: NamedDependency[Session], code: Code, number: FromPath[int]
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        number = answering.section_number(number)
        back = request.query_params.get("return") == "review"
        return answering.finish(
            answering.respondent().section_page(request, number, return_to_review=back)
        )

    @post("/a/{code:str}/{number:int}", name="answer_section_save", sync_to_thread=True)
    def submit_section(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        code: Code,
        number: FromPath[int],
        data: FormData,
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        number = answering.section_number(number)
        posted = answering.read_section(number, data)
        # Valid answers are kept even when others on the page have errors.
        answering.save(posted.submission.answers)
        if not posted.submission.ok:
            return answering.finish(
                answering.respondent().section_page(
                    request, number, submission=posted.submission, return_to_review=posted.to_review
                )
            )
        return answering.redirect(answering.after(number, posted))

    @post("/a/{code:str}/save/{item_id:str}", name="answer_save", sync_to_thread=True)
    def save(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        code: Code,
        item_id: FromPath[str],
        data: FormData,
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        if forms.section_of(answering.questionnaire, item_id) is None:
            raise NotFoundException()
        before = dict(answering.answers)
        form = form_of(data)
        if not forms.carries(form, item_id):
            refused = answering.respondent().saved_fragment(
                request, item_id, forms.Problem(forms.NOT_RECEIVED), before
            )
            refused.status_code = HTTP_400_BAD_REQUEST
            return answering.finish(refused)
        answers, problem = forms.save_item(
            answering.methodology,
            answering.questionnaire,
            item_id,
            form,
            before,
            answering.lang,
        )
        if problem is None:
            try:
                # One item, read and written under the response's lock: two answers
                # saved at the same moment must not overwrite each other.
                answers = set_answer(db, answering.started(), item_id, answers.get(item_id))
                db.commit()
            except Closed:
                raise
            except StoreError:
                # The forms and the store apply the same rules; a disagreement is a bug
                # to log, and for the person an answer that was not saved.
                log.exception("answer to %s refused by the store", item_id)
                db.rollback()
                answers, problem = before, forms.Problem(forms.CHOOSE_LISTED)
        fragment = answering.respondent(answers).saved_fragment(request, item_id, problem, before)
        return answering.finish(fragment)

    @get("/a/{code:str}/review", name="answer_review", sync_to_thread=True)
    def review(
        self, request: HttpRequest, db: NamedDependency[Session], code: Code
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        return answering.finish(answering.respondent().review_page(request))

    @post("/a/{code:str}/review", name="answer_send", sync_to_thread=True)
    def send(
        self, request: HttpRequest, db: NamedDependency[Session], code: Code, data: FormData
    ) -> Response[Any]:
        answering = _Answering(request, db, code)
        if (elsewhere := answering.blocked()) is not None:
            return elsewhere
        response = answering.started()
        response.proxy = forms.first(form_of(data), HELPED_FIELD) == "1"
        missing = forms.missing_required(answering.questionnaire, answering.answers)
        if missing:
            db.commit()
            return answering.finish(
                answering.respondent().review_page(
                    request, missing=tuple(item.id for _, item in missing)
                )
            )
        submit_response(db, response)
        db.commit()
        return answering.redirect(answering.urls.done)

    @get("/a/{code:str}/done", name="answer_done", sync_to_thread=True)
    def done(self, request: HttpRequest, db: NamedDependency[Session], code: Code) -> Response[Any]:
        answering = _Answering(request, db, code)
        if not answering.target.submitted:
            return answering.redirect(answering.urls.intro)
        return answering.finish(answering.respondent().done_page(request))

"""What every respondent page needs whichever flow serves it (the preview now, access
codes later): its addresses, the easy-read switch, and the rendering of each page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar.datastructures import Cookie
from litestar.response import Template

from qms.methodology.answers import AnswerValue, clean_text, is_shown
from qms.methodology.model import Methodology, Questionnaire
from qms.web.deps import HttpRequest
from qms.web.render import page
from qms.web.respond import forms, views
from qms.web.respond.forms import Problem, RawForm, Submission
from qms.web.urls import path_for

EASY_COOKIE = "qms_easy"
RETURN_FIELD = "_return"
ACTION_FIELD = "_action"
HELPED_FIELD = "_helped"


@dataclass(frozen=True)
class Urls:
    """The addresses of one respondent's questionnaire: the routes of its `flow`
    (`answer_intro`, `answer_section`, ... behind an access code; `preview_...`), with
    the path parameters that name the questionnaire (the code; methodology and group)."""

    request: HttpRequest
    flow: str
    params: Mapping[str, str]

    def _path(self, page: str, **more: str | int) -> str:
        return path_for(self.request, f"{self.flow}_{page}", **self.params, **more)

    @property
    def base(self) -> str:
        """What every page of the questionnaire is under (its cookies' path)."""
        return self.intro

    @property
    def intro(self) -> str:
        return self._path("intro")

    def section(self, number: int) -> str:
        return self._path("section", number=number)

    @property
    def review(self) -> str:
        return self._path("review")

    @property
    def done(self) -> str:
        return self._path("done")

    @property
    def restart(self) -> str:
        return self._path("restart")  # the preview's only

    def save(self, item_id: str) -> str:
        return self._path("save", item_id=quote(item_id, safe=""))


def easy_read(request: HttpRequest) -> tuple[bool, Cookie | None]:
    """Whether easy-read text is on: `?easy=1|0` switches and is remembered in a cookie."""
    asked = request.query_params.get("easy")
    if asked in ("0", "1"):
        cookie = Cookie(
            key=EASY_COOKIE,
            value=asked,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="lax",
            httponly=True,
        )
        return asked == "1", cookie
    return request.cookies.get(EASY_COOKIE) == "1", None


def form_of(data: Mapping[str, Any]) -> RawForm:
    """A parsed url-encoded body as field -> values (a repeated field arrives as a list)."""
    form: dict[str, list[str]] = {}
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        form[str(name)] = [clean_text(v) for v in values if isinstance(v, str)]
    return form


@dataclass(frozen=True)
class Respondent:
    """One page's inputs: the questionnaire, the answers and how to show them."""

    methodology: Methodology
    questionnaire: Questionnaire
    answers: Mapping[str, AnswerValue]
    lang: str
    easy: bool
    urls: Urls
    preview: bool = False
    helped: bool = False

    def _context(self, **extra: Any) -> dict[str, Any]:
        return {"urls": self.urls, "easy": self.easy, "preview": self.preview, **extra}

    def intro_page(self, request: HttpRequest) -> Template:
        view = views.intro_view(
            self.methodology, self.questionnaire, lang=self.lang, answers=self.answers
        )
        resume = None
        if self.answers:
            number = forms.resume_section(self.questionnaire, self.answers)
            resume = self.urls.section(number) if number is not None else self.urls.review
        return page("respond/intro.html", self._context(view=view, resume=resume), request=request)

    def section_page(
        self,
        request: HttpRequest,
        number: int,
        *,
        submission: Submission | None = None,
        return_to_review: bool = False,
    ) -> Template:
        errors: Mapping[str, Problem] = submission.errors if submission else {}
        view = views.section_view(
            self.methodology,
            self.questionnaire,
            number,
            lang=self.lang,
            easy=self.easy,
            answers=submission.answers if submission else self.answers,
            raw=submission.raw if submission else None,
            errors=errors,
        )
        revealed = submission.revealed if submission else ()
        return page(
            "respond/section.html",
            self._context(
                view=view,
                revealed=[views.dom_id(i) for i in revealed],
                return_to_review=return_to_review,
            ),
            request=request,
        )

    def saved_fragment(
        self,
        request: HttpRequest,
        item_id: str,
        problem: Problem | None,
        before: Mapping[str, AnswerValue],
    ) -> Template:
        """The item's save status, and (out of band) the items of its section whose
        condition this answer changed, and the progress."""
        section = next(
            s for s in self.questionnaire.sections if any(i.id == item_id for i in s.items)
        )
        number = self.questionnaire.sections.index(section) + 1
        changed = [
            views.item_view(
                self.methodology, item, lang=self.lang, easy=self.easy, answers=self.answers
            )
            for item in section.items
            if item.when is not None and is_shown(item, before) != is_shown(item, self.answers)
        ]
        return Template(
            template_name="respond/_saved.html",
            context=self._context(
                state="error" if problem else "saved",
                message=problem.text(self.lang) if problem else None,
                changed=changed,
                progress=views.progress(self.questionnaire, self.answers, number),
                oob=True,
            ),
        )

    def review_page(self, request: HttpRequest, missing: tuple[str, ...] = ()) -> Template:
        view = views.review_view(
            self.methodology,
            self.questionnaire,
            lang=self.lang,
            easy=self.easy,
            answers=self.answers,
            missing=missing,
            link=lambda number: self.urls.section(number) + "?return=review",
        )
        return page(
            "respond/review.html", self._context(view=view, helped=self.helped), request=request
        )

    def done_page(self, request: HttpRequest) -> Template:
        return page("respond/done.html", self._context(), request=request)

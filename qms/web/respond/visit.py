"""What one request to a respondent's questionnaire works with, whether its answers are
stored (qms.web.respond.answer) or kept in signed cookies (qms.web.respond.preview): the
two differ only in where the answers live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from litestar.exceptions import NotFoundException

from qms.methodology.answers import AnswerValue
from qms.methodology.model import Methodology, Questionnaire
from qms.web.deps import HttpRequest
from qms.web.respond import forms
from qms.web.respond.pages import ACTION_FIELD, RETURN_FIELD, Respondent, Urls, form_of


@dataclass(frozen=True)
class SectionPost:
    """A section's posted form: its answers read, and which way the person goes."""

    submission: forms.Submission
    going_back: bool
    to_review: bool


class Visit:
    """Subclasses set these in their constructor and say where the answers are."""

    preview: ClassVar[bool] = False
    request: HttpRequest
    methodology: Methodology
    questionnaire: Questionnaire
    easy: bool
    urls: Urls

    def current(self) -> dict[str, AnswerValue]:
        """The answers as they stand."""
        raise NotImplementedError

    def helped(self) -> bool:
        """Whether someone helps the respondent answer (or types in for them)."""
        raise NotImplementedError

    @property
    def lang(self) -> str:
        lang: str = self.request.state.lang
        return lang

    def respondent(self, answers: dict[str, AnswerValue] | None = None) -> Respondent:
        return Respondent(
            self.methodology,
            self.questionnaire,
            self.current() if answers is None else answers,
            self.lang,
            self.easy,
            self.urls,
            preview=self.preview,
            helped=self.helped(),
        )

    def section_number(self, number: int) -> int:
        if not 1 <= number <= len(self.questionnaire.sections):
            raise NotFoundException()
        return number

    def next_with_questions(self, number: int, step: int) -> int | None:
        """The nearest section from `number` in direction `step` that shows any item."""
        number += step
        while 1 <= number <= len(self.questionnaire.sections):
            if forms.shown_items(self.questionnaire.sections[number - 1], self.current()):
                return number
            number += step
        return None

    def read_section(self, number: int, data: Mapping[str, Any]) -> SectionPost:
        """The posted section; going back, required answers may be left out."""
        form = form_of(data)
        going_back = forms.first(form, ACTION_FIELD) == "back"
        submission = forms.read_section(
            self.methodology,
            self.questionnaire,
            number,
            form,
            self.current(),
            self.lang,
            require=not going_back,
        )
        return SectionPost(submission, going_back, forms.first(form, RETURN_FIELD) == "review")

    def after(self, number: int, posted: SectionPost) -> str:
        """Where a section that was taken sends the person."""
        if posted.going_back:
            target = self.next_with_questions(number, -1)
            return self.urls.section(target) if target else self.urls.intro
        target = None if posted.to_review else self.next_with_questions(number, 1)
        return self.urls.section(target) if target else self.urls.review

"""The answers of a questionnaire preview, kept in signed cookies instead of the database.

A preview stores nothing on the server, yet must keep answers across pages, language
switches and the htmx saves. The state is JSON, compressed and signed by the cookie
codec of the sessions (`qms.web.security.CookieCodec`, on itsdangerous) with a salt of its
own and the questionnaire as scope; it may span a few cookies because a long text answer
outgrows the 4 KB a browser keeps per cookie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from qms.methodology.answers import AnswerValue, BadValue, check_value, without_hidden
from qms.methodology.model import Methodology, Questionnaire
from qms.web.security import CookieCodec

CHUNK = 3600  # characters of one cookie's value, below the 4096 bytes browsers keep
MAX_CHUNKS = 3  # beyond this the request header would grow past what servers accept


class TooLarge(ValueError):
    """The answers do not fit into the preview's cookies."""


@dataclass
class PreviewState:
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    helped: bool = False
    submitted: bool = False


def cookie_name(methodology: str, group: str, chunk: int) -> str:
    return f"qms_preview_{methodology}_{group}_{chunk}"


def _plain(value: AnswerValue) -> object:
    return list(value) if isinstance(value, tuple) else value


def _typed(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


class PreviewCodec:
    def __init__(self, secret_key: str, previous: Sequence[str] = ()) -> None:
        self._cookies = CookieCodec(secret_key, previous, purpose="preview", compress=True)

    def dumps(self, methodology: str, group: str, state: PreviewState) -> list[str]:
        """The cookie values, in order; TooLarge when they would not fit."""
        data = {
            "a": {k: _plain(v) for k, v in state.answers.items()},
            "h": state.helped,
            "s": state.submitted,
        }
        # The scope is signed too, so one questionnaire's cookie cannot be replayed as
        # another's.
        value = self._cookies.dumps(data, scope=f"{methodology}/{group}")
        chunks = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)]
        if len(chunks) > MAX_CHUNKS:
            raise TooLarge(f"{len(value)} characters")
        return chunks

    def loads(
        self, methodology: Methodology, questionnaire: Questionnaire, chunks: list[str]
    ) -> PreviewState:
        """The state the cookies hold, checked against the questionnaire as it is now (its
        files may have changed since); an empty state for anything forged or malformed."""
        read = self._cookies.loads("".join(chunks), scope=f"{methodology.id}/{questionnaire.group}")
        if read is None:
            return PreviewState()
        try:
            data = read.data
            raw = data["a"]
            if not isinstance(raw, dict):
                return PreviewState()
            answers = _checked(methodology, questionnaire, raw)
            return PreviewState(answers, bool(data["h"]), bool(data["s"]))
        except (ValueError, KeyError, TypeError):
            return PreviewState()


def _checked(
    methodology: Methodology, questionnaire: Questionnaire, raw: Mapping[str, object]
) -> dict[str, AnswerValue]:
    own = {item.id: item for item in questionnaire.items}
    answers: dict[str, AnswerValue] = {}
    for item_id, value in raw.items():
        if item_id not in own:
            continue
        try:
            answers[item_id] = check_value(methodology, own[item_id], _typed(value))
        except BadValue:
            continue
    return without_hidden(questionnaire, answers)

"""The answers of a questionnaire preview, kept in signed cookies instead of the database.

A preview stores nothing on the server, yet must keep answers across pages, language
switches and the htmx saves. The state is JSON, compressed, and signed with HMAC-SHA256
under a key derived from QMS_SECRET_KEY; it may span a few cookies because a long text
answer outgrows the 4 KB a browser keeps per cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from qms.imports.values import AnswerValue, BadValue, check_value, without_hidden
from qms.methodology.model import Methodology, Questionnaire

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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _plain(value: AnswerValue) -> object:
    return list(value) if isinstance(value, tuple) else value


def _typed(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


class PreviewCodec:
    def __init__(self, secret_key: str) -> None:
        self._key = hmac.new(secret_key.encode(), b"qms.preview.v1", hashlib.sha256).digest()

    def _sign(self, scope: str, payload: bytes) -> bytes:
        # The scope (methodology and group) is signed too, so one questionnaire's cookie
        # cannot be replayed as another's.
        return hmac.new(self._key, scope.encode() + b"\0" + payload, hashlib.sha256).digest()

    def dumps(self, methodology: str, group: str, state: PreviewState) -> list[str]:
        """The cookie values, in order; TooLarge when they would not fit."""
        data = {
            "a": {k: _plain(v) for k, v in state.answers.items()},
            "h": state.helped,
            "s": state.submitted,
        }
        payload = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
        scope = f"{methodology}/{group}"
        value = f"{_b64(payload)}.{_b64(self._sign(scope, payload))}"
        chunks = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)]
        if len(chunks) > MAX_CHUNKS:
            raise TooLarge(f"{len(value)} characters")
        return chunks

    def loads(
        self, methodology: Methodology, questionnaire: Questionnaire, chunks: list[str]
    ) -> PreviewState:
        """The state the cookies hold, checked against the questionnaire as it is now (its
        files may have changed since); an empty state for anything forged or malformed."""
        head, _, tail = "".join(chunks).partition(".")
        scope = f"{methodology.id}/{questionnaire.group}"
        try:
            payload, signature = _unb64(head), _unb64(tail)
        except (binascii.Error, ValueError):
            return PreviewState()
        if not hmac.compare_digest(signature, self._sign(scope, payload)):
            return PreviewState()
        try:
            data = json.loads(zlib.decompress(payload))
            raw = data["a"]
            if not isinstance(raw, dict):
                return PreviewState()
            answers = _checked(methodology, questionnaire, raw)
            return PreviewState(answers, bool(data["h"]), bool(data["s"]))
        except (zlib.error, ValueError, KeyError, TypeError):
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

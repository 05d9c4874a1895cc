"""The one codec of signed cookies (sessions and previews): key rotation, tampering, and
values that do not cross from one purpose or questionnaire to another."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from qms.web.security import REFRESH_SECONDS, CookieCodec, SessionCodec, WebSession

OLD = "the-old-secret-key-0123"
NEW = "the-new-secret-key-4567"
OLDER = "an-even-older-key-89ab"
NOW = 1_800_000_000
DATA = {"u": 5, "e": 3, "c": "token", "i": NOW, "s": NOW}


def test_values_round_trip_signed_with_the_current_key() -> None:
    codec = CookieCodec(NEW, purpose="session")
    read = codec.loads(codec.dumps(DATA))
    assert read is not None
    assert (read.data, read.stale) == (DATA, False)


def test_a_value_of_a_previous_key_is_read_only_while_that_key_is_listed() -> None:
    old_value = CookieCodec(OLD, purpose="session").dumps(DATA)
    rotated = CookieCodec(NEW, [OLD], purpose="session")
    read = rotated.loads(old_value)
    assert read is not None
    assert (read.data, read.stale) == (DATA, True)
    assert CookieCodec(NEW, purpose="session").loads(old_value) is None
    assert CookieCodec(NEW, [OLDER], purpose="session").loads(old_value) is None
    # Any key of the list will do.
    assert CookieCodec(NEW, [OLDER, OLD], purpose="session").loads(old_value) is not None


def test_new_values_are_always_signed_with_the_current_key() -> None:
    value = CookieCodec(NEW, [OLD], purpose="session").dumps(DATA)
    assert CookieCodec(NEW, purpose="session").loads(value) is not None
    assert CookieCodec(OLD, purpose="session").loads(value) is None


@pytest.mark.parametrize("previous", [[], [OLD]])
def test_a_tampered_value_is_refused(previous: list[str]) -> None:
    codec = CookieCodec(NEW, previous, purpose="session")
    for signer in (NEW, *previous):
        value = CookieCodec(signer, purpose="session").dumps(DATA)
        assert codec.loads(value) is not None
        for at in range(len(value)):
            changed = "A" if value[at] != "A" else "B"
            forged = value[:at] + changed + value[at + 1 :]
            read = codec.loads(forged)
            # A change in the unused low bits of the last base64 character decodes to
            # the same bytes; nothing else is accepted.
            assert read is None or (at == len(value) - 1 and read.data == DATA), at
        for junk in ("", ".", "abc", "abc.def", "%%%.%%%", value + "x", value[:-1], "." + value):
            assert codec.loads(junk) is None, junk


def test_a_value_means_nothing_to_another_purpose_or_scope() -> None:
    session = CookieCodec(NEW, purpose="session")
    preview = CookieCodec(NEW, purpose="preview", compress=True)
    assert preview.loads(session.dumps(DATA)) is None
    clients = preview.dumps(DATA, scope="socquality/clients")
    assert preview.loads(clients, scope="socquality/clients") is not None
    assert preview.loads(clients, scope="socquality/staff") is None
    assert preview.loads(clients) is None


def test_only_the_preview_compresses() -> None:
    long = {"a": {"text": "the same words again " * 200}}
    compressed = CookieCodec(NEW, purpose="preview", compress=True).dumps(long)
    assert compressed.startswith(".")  # itsdangerous' mark of a compressed payload
    assert len(compressed) < 400
    plain = CookieCodec(NEW, purpose="session").dumps(long)
    assert not plain.startswith(".")
    assert len(plain) > 4000


def _session(codec: SessionCodec, seen: int = NOW) -> str:
    session = WebSession.new(seen)
    session.sign_in(5, 3, seen)
    return codec.dumps(session)


def test_a_session_of_a_previous_key_is_signed_anew_at_once() -> None:
    rotated = SessionCodec(NEW, [OLD])
    loaded = rotated.loads(_session(SessionCodec(OLD)), NOW + 10)
    assert loaded is not None
    assert (loaded.user_id, loaded.epoch) == (5, 3)
    # Used a moment ago, so refreshing would wait; the old key would not.
    assert loaded.seen == NOW
    assert loaded.dirty
    reissued = rotated.dumps(loaded)
    assert SessionCodec(NEW).loads(reissued, NOW + 10) is not None
    again = rotated.loads(reissued, NOW + 10)
    assert again is not None
    assert not again.dirty


def test_a_session_of_a_previous_key_still_expires() -> None:
    old = _session(SessionCodec(OLD))
    rotated = SessionCodec(NEW, [OLD])
    assert rotated.loads(old, NOW + REFRESH_SECONDS + 1) is not None
    assert rotated.loads(old, NOW + 24 * 3600 + 1) is None


def test_cookies_of_the_hand_made_codec_before_are_not_read() -> None:
    # Its format: base64(JSON).base64(HMAC-SHA256) under HMAC(key, "qms.session.v1").
    # Such sessions simply end; people sign in once more.
    key = hmac.new(NEW.encode(), b"qms.session.v1", hashlib.sha256).digest()
    payload = json.dumps(DATA, separators=(",", ":")).encode()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    legacy = f"{b64(payload)}.{b64(hmac.new(key, payload, hashlib.sha256).digest())}"
    assert SessionCodec(NEW).loads(legacy, NOW) is None
    assert SessionCodec(NEW, [NEW]).loads(legacy, NOW) is None

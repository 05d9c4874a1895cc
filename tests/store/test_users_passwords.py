"""Production password hashing: argon2id at its real cost, and no timing oracle."""

from __future__ import annotations

import time

from qms.store import passwords, users
from qms.store.db import Database


def test_hashes_are_argon2id_with_the_recommended_cost() -> None:
    stored = passwords.hash_password("a long enough password")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify_password(stored, "a long enough password")
    assert not passwords.verify_password(stored, "a long enough passworD")
    assert not passwords.verify_password("not a hash", "x")


def test_generated_passwords_are_long_random_and_readable() -> None:
    made = {passwords.generate_password() for _ in range(200)}
    assert len(made) == 200
    for password in made:
        assert len(password) == 23
        assert password.count("-") == 3
        assert not set(password) & set("0O1lI")
        passwords.check_rules(password)


def test_unknown_emails_take_as_long_as_wrong_passwords(sqlite_url: str) -> None:
    # One argon2 verification either way; the database lookups are noise beside it.
    database = Database(sqlite_url)
    try:
        with database.session() as session:
            users.create_user(session, "known@example.lv", "a long enough password", actor_id=None)
            session.commit()
            users.authenticate(session, "ghost@example.lv", "warm up the dummy hash")

            def timed(email: str) -> float:
                start = time.perf_counter()
                assert users.authenticate(session, email, "a wrong password!") is None
                return time.perf_counter() - start

            # Interleaved, and the fastest of each: other processes only ever add time.
            pairs = [(timed("known@example.lv"), timed("ghost@example.lv")) for _ in range(5)]
            known = min(k for k, _ in pairs)
            unknown = min(u for _, u in pairs)
    finally:
        database.dispose()
    assert 0.5 < unknown / known < 2.0, (known, unknown)

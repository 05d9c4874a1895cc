"""Signing in and out, and changing one's own password."""

from __future__ import annotations

import time
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.store import ratelimit, users
from qms.store.audit import record_event
from qms.store.passwords import MAX_LENGTH, MIN_LENGTH, WeakPassword
from qms.web.auth import Principal, current_principal, public, requires, safe_next
from qms.web.deps import HttpRequest
from qms.web.forms import FIELD_MAX, Form, FormData, FormSpec, client_address, read_form, rule
from qms.web.render import page
from qms.web.security import cookie_is_secure, session_of
from qms.web.urls import path_for

WRONG_CREDENTIALS = N_("The email address or the password is not right.")
TOO_MANY = N_("Too many attempts. Please wait a minute and try again.")
PASSWORD_RULES = {
    "too_short": N_("The new password needs at least 12 characters."),
    "too_long": N_("The new password is too long."),
    "same_as_email": N_("The new password must not be your email address."),
    "guessable": N_(
        "This password is too easy to guess: it is a common password, close to one, or a "
        "simple pattern such as repeated letters or a row of keys. Choose another one, for "
        "example a few unrelated words."
    ),
}

ENTER_EMAIL = N_("Enter your email address.")
ENTER_PASSWORD = N_("Enter your password.")


class SignInForm(FormSpec):
    email: Annotated[str, rule(ENTER_EMAIL, min_length=1, max_length=FIELD_MAX)]
    password: Annotated[str, rule(ENTER_PASSWORD, min_length=1, max_length=FIELD_MAX, strip=False)]
    next: str = ""  # where to go after: safe_next decides


class PasswordForm(FormSpec):
    """The new password's own rules are the store's (qms.store.passwords): only its
    length is known here, to refuse a huge one before hashing it."""

    current: Annotated[
        str,
        rule(N_("Enter your current password."), min_length=1, max_length=FIELD_MAX, strip=False),
    ]
    new: Annotated[
        str,
        rule(
            PASSWORD_RULES["too_long"],
            empty=N_("Enter a new password."),
            min_length=1,
            max_length=MAX_LENGTH,
            strip=False,
        ),
    ]
    confirm: Annotated[
        str, rule(N_("The two new passwords are not the same."), max_length=MAX_LENGTH, strip=False)
    ] = ""


def _cookie_will_be_dropped(request: HttpRequest) -> bool:
    # The session cookie is Secure off this machine; over plain http a browser drops it
    # and signing in would silently fail, so the page says so instead.
    forwarded = request.headers.get("x-forwarded-proto", "")
    https = request.scope.get("scheme") == "https" or forwarded.startswith("https")
    return cookie_is_secure(request.scope) and not https


def _login_page(request: HttpRequest, form: Form, status_code: int = 200) -> Template:
    return page(
        "account/login.html",
        {
            "form": form,
            "https_needed": _cookie_will_be_dropped(request),
            "signed_out": request.query_params.get("signed_out") == "1",
        },
        status_code=status_code,
        request=request,
    )


def _next(request: HttpRequest, target: str | None) -> str:
    return safe_next(target, path_for(request, "staff"))


class AccountController(Controller):
    @get("/login", name="login", opt=public())
    async def login_form(self, request: HttpRequest) -> Template | Redirect:
        if await current_principal(request) is not None:
            return Redirect(path=_next(request, request.query_params.get("next")), status_code=303)
        form = Form(values={"next": _next(request, request.query_params.get("next"))})
        return _login_page(request, form)

    @post("/login", name="login_submit", opt=public(), sync_to_thread=True)
    def login(
        self, request: HttpRequest, db: NamedDependency[Session], data: FormData
    ) -> Template | Redirect:
        posted, form = read_form(SignInForm, data)
        form.values["next"] = _next(request, form.values.get("next"))
        form.values.pop("password", None)
        if posted is None:
            return _login_page(request, form, 422)
        email, password = posted.email, posted.password
        address = client_address(request)
        buckets = ratelimit.sign_in_buckets(address, email)
        if ratelimit.is_limited(db, buckets):
            form.error("email", TOO_MANY)
            return _login_page(request, form, 429)
        account = users.authenticate(db, email, password)
        if account is None:
            ratelimit.count_attempt(db, buckets)
            known = users.account_by_email(db, email)
            record_event(
                db,
                actor_id=None,
                action="auth.sign_in_failed",
                subject=known.email if known else "",
                detail={"address": address, "known_account": known is not None},
            )
            db.commit()
            form.error("email", WRONG_CREDENTIALS)
            return _login_page(request, form, 422)
        # Only this address's failures at this account: the others are not the owner's.
        ratelimit.forget(db, [buckets.pair])
        record_event(
            db,
            actor_id=account.id,
            action="auth.signed_in",
            subject=account.email,
            detail={"address": address},
        )
        db.commit()
        session_of(request).sign_in(account.id, account.session_epoch, int(time.time()))
        return Redirect(path=form.values["next"], status_code=303)

    @post("/logout", name="logout", opt=public(), sync_to_thread=True)
    def logout(self, request: HttpRequest, db: NamedDependency[Session]) -> Redirect:
        web_session = session_of(request)
        if web_session.user_id is not None:
            # Ends this person's sessions everywhere: a copied cookie dies with this one.
            users.end_sessions(db, web_session.user_id)
            record_event(db, actor_id=web_session.user_id, action="auth.signed_out")
            db.commit()
        web_session.sign_out(int(time.time()))
        return Redirect(path=path_for(request, "login") + "?signed_out=1", status_code=303)

    @get("/account/password", name="password", opt=requires("account.manage"), sync_to_thread=False)
    def password_form(
        self, request: HttpRequest, principal: NamedDependency[Principal]
    ) -> Template:
        changed = request.query_params.get("changed") == "1"
        return page(
            "account/password.html",
            {"form": Form(), "changed": changed, "min_length": MIN_LENGTH},
            request=request,
        )

    @post(
        "/account/password",
        name="password_change",
        opt=requires("account.manage"),
        sync_to_thread=True,
    )
    def change_password(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template | Redirect:
        posted, form = read_form(PasswordForm, data)
        form.values.clear()  # no password is shown again
        if posted is not None and posted.new != posted.confirm:
            form.error("confirm", N_("The two new passwords are not the same."))
        buckets = ratelimit.sign_in_buckets(client_address(request), principal.email)
        if form.ok and ratelimit.is_limited(db, buckets):
            form.error("current", TOO_MANY)
        if posted is not None and form.ok:
            current, new = posted.current, posted.new
            try:
                epoch = users.change_password(db, principal.user_id, current, new)
            except WeakPassword as weak:
                form.error("new", PASSWORD_RULES[weak.reason])
            else:
                if epoch is None:
                    ratelimit.count_attempt(db, buckets)
                    db.commit()
                    form.error("current", N_("Your current password is not right."))
                else:
                    db.commit()
                    session_of(request).sign_in(principal.user_id, epoch, int(time.time()))
                    return Redirect(
                        path=path_for(request, "password") + "?changed=1", status_code=303
                    )
        return page(
            "account/password.html",
            {"form": form, "changed": False, "min_length": MIN_LENGTH},
            status_code=422,
            request=request,
        )

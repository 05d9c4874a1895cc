"""One's own API tokens: create one with a name (its secret is shown once), list, revoke.

Tokens are for scripts and spreadsheets that read the JSON API (/api/v1); they never
open a page or change anything (qms.web.auth.bearer_token).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.i18n import N_
from qms.store import tokens
from qms.web.auth import Principal, requires
from qms.web.deps import HttpRequest
from qms.web.forms import Form, FormData, FormSpec, read_form, rule
from qms.web.render import page
from qms.web.urls import path_for, schema_path

ACCOUNT = requires("account.manage")
NAME_ERRORS = {
    "empty": N_("Enter a name for the token, such as the script that will use it."),
    "too_long": N_("The name can have at most 100 characters."),
}
TOO_MANY = N_("You have 20 active tokens. Revoke one you no longer need first.")


class TokenForm(FormSpec):
    name: Annotated[
        str,
        rule(
            NAME_ERRORS["too_long"],
            empty=NAME_ERRORS["empty"],
            min_length=1,
            max_length=tokens.NAME_MAX,
        ),
    ]


class TokenController(Controller):
    def _page(
        self,
        request: HttpRequest,
        db: Session,
        principal: Principal,
        form: Form,
        *,
        new: tokens.NewToken | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            "tokens/tokens.html",
            {
                "form": form,
                "tokens": tokens.list_tokens(db, principal.user_id),
                "new": new,
                "revoked": request.query_params.get("revoked") == "1",
                "schema_path": schema_path(request.app),
            },
            status_code=status_code,
            request=request,
        )

    @get("/account/tokens", name="api_tokens", opt=ACCOUNT, sync_to_thread=True)
    def show(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
    ) -> Template:
        return self._page(request, db, principal, Form())

    @post("/account/tokens", name="api_token_create", opt=ACCOUNT, sync_to_thread=True)
    def create(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        data: FormData,
    ) -> Template:
        posted, form = read_form(TokenForm, data)
        if posted is not None:
            try:
                new = tokens.create_token(db, principal.user_id, posted.name)
            except tokens.BadTokenName as bad:
                form.error("name", NAME_ERRORS[bad.reason])
            except tokens.TooManyTokens:
                form.error("name", TOO_MANY)
        if posted is None or not form.ok:
            db.rollback()
            return self._page(request, db, principal, form, status_code=422)
        db.commit()
        # The secret is in this response only; it must not linger in any cache.
        response = self._page(request, db, principal, Form(), new=new)
        response.headers["cache-control"] = "no-store"
        return response

    @post(
        "/account/tokens/{token_id:int}/revoke",
        name="api_token_revoke",
        opt=ACCOUNT,
        sync_to_thread=True,
    )
    def revoke(
        self,
        request: HttpRequest,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        token_id: FromPath[int],
    ) -> Redirect:
        # Someone else's token, a missing one or one already revoked: nothing to do, and
        # the answer is the same, so nobody learns which token ids exist.
        if tokens.revoke_token(db, principal.user_id, token_id):
            db.commit()
        return Redirect(path=path_for(request, "api_tokens") + "?revoked=1", status_code=303)

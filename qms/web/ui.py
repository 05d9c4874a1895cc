"""Template helpers for the staff area: the signed-in person, CSRF fields, labels, times."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qms import i18n
from qms.i18n import N_
from qms.paths import static_dir
from qms.store.directory import Ref
from qms.web.auth import Principal
from qms.web.deps import HttpRequest
from qms.web.security import csrf_input, csrf_token

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "coordinator": N_("Network coordinator"),
    "head": N_("Head of organisation"),
    "staff": N_("Staff member"),
}

ACTION_LABELS = {
    "auth.signed_in": N_("Signed in"),
    "auth.signed_out": N_("Signed out"),
    "auth.sign_in_failed": N_("Failed sign-in"),
    "user.created": N_("Account created"),
    "user.updated": N_("Account changed"),
    "user.password_changed": N_("Password changed"),
    "role.added": N_("Role added"),
    "role.removed": N_("Role removed"),
    "organisation.created": N_("Organisation created"),
    "organisation.renamed": N_("Organisation renamed"),
    "network.created": N_("Network created"),
    "network.renamed": N_("Network renamed"),
    "network.member_added": N_("Organisation joined a network"),
    "network.member_removed": N_("Organisation left a network"),
    "cycle.shared": N_("Cycle shared with a network"),
    "cycle.share_changed": N_("Naming in a network changed"),
    "cycle.share_withdrawn": N_("Cycle withdrawn from a network"),
    "cycle.created": N_("Cycle created"),
    "cycle.opened": N_("Cycle opened"),
    "cycle.closed": N_("Cycle closed"),
    "cycle.reopened": N_("Cycle reopened"),
    "plan.action_added": N_("Improvement action added"),
    "plan.action_updated": N_("Improvement action updated"),
    "api_token.created": N_("API token created"),
    "api_token.revoked": N_("API token revoked"),
    "comment.hidden": N_("Comment hidden"),
    "comment.shown": N_("Comment shown again"),
}


def principal_of(request: HttpRequest | None) -> Principal | None:
    if request is None:
        return None
    found = request.scope.get("state", {}).get("qms.principal")
    return found if isinstance(found, Principal) else None


def role_label(role: str) -> str:
    return i18n.gettext(ROLE_LABELS.get(role, role))


def action_label(action: str) -> str:
    # Actions logged by later features show their code until they add a label here.
    label = ACTION_LABELS.get(action)
    return i18n.gettext(label) if label else action


def role_options(roles: Iterable[str]) -> list[tuple[str, str]]:
    return [(role, role_label(role)) for role in roles]


def ref_options(refs: Iterable[Ref]) -> list[tuple[str, str]]:
    return [(str(ref.id), ref.name) for ref in refs]


def staff_globals() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        # Not `csrf_input`: Litestar puts a variable of that name into every context.
        "csrf_field": csrf_input,
        "principal_of": principal_of,
        "role_label": role_label,
        "action_label": action_label,
        "role_options": role_options,
        "ref_options": ref_options,
        "htmx_available": (static_dir() / "js" / "htmx.min.js").is_file(),
    }

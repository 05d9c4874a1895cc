"""The one Jinja environment: pages (Litestar renders with it), the PDF reports and the
code slips all come from templates/ through `make_jinja_env`, so a filter, a global or
an escaping rule cannot differ between a page and the PDF of the same figures.

`StrictUndefined`: a template that reads a variable nobody passed fails loudly instead
of printing nothing; optional variables say so with `{% if x is defined %}`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from qms import __version__, i18n
from qms.paths import data_dir
from qms.presentation.text import ACTION_STATUS_LABELS, local_time
from qms.scoring.display import fmt1


def make_jinja_env(
    extra_globals: Mapping[str, Any] | None = None, *, auto_reload: bool = False
) -> Environment:
    """A new environment over templates/. `extra_globals`: what only a web request has
    (the signed-in person, the CSRF field), added by qms.web.render; `auto_reload`
    checks each template file's mtime on every render, a development aid."""
    env = Environment(
        loader=FileSystemLoader(data_dir("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(
        language_names=i18n.LANGUAGE_NAMES,
        languages=i18n.LANGUAGES,
        current_language=i18n.current_language.get,
        version=__version__,
        fmt1=fmt1,
        local_time=local_time,
        status_labels=ACTION_STATUS_LABELS,
    )
    env.globals.update(extra_globals or {})
    return env


@functools.cache
def report_env() -> Environment:
    """The environment of the PDF reports, made once per process (templates change only
    with a release)."""
    return make_jinja_env()

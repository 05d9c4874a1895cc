"""How the adversary's hypothesis runs are bounded, and the answers it draws.

CI runs a fixed, small number of examples (derandomized: the same sequences every run)
so that the whole tests/privacy run stays within a few minutes on two cores; a deeper
search is one environment variable away:

    QMS_PRIVACY_EXAMPLES=200 QMS_PRIVACY_STEPS=20 QMS_PRIVACY_SEED=random \
        .venv/bin/python -m pytest tests/privacy -k machine

Shrinking is off unless QMS_PRIVACY_SHRINK=1: an example costs seconds, and the failing
run's steps are printed either way. QMS_PRIVACY_IGNORE=kind,kind leaves more kinds of
leak out (to hunt for others while one is being fixed), QMS_PRIVACY_ALL=1 reports the
kinds already reported too, QMS_PRIVACY_DEBUG=1 prints what each example reached.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from qms.methodology.answers import AnswerValue
from tests.privacy.adversary import REPORTED


def machine_settings(examples: int, steps: int) -> settings:
    deep = os.environ.get("QMS_PRIVACY_SEED") == "random"
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    if os.environ.get("QMS_PRIVACY_SHRINK") == "1":
        phases.append(Phase.shrink)
    return settings(
        max_examples=int(os.environ.get("QMS_PRIVACY_EXAMPLES", examples)),
        stateful_step_count=int(os.environ.get("QMS_PRIVACY_STEPS", steps)),
        derandomize=not deep,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


# The test methodology (tests/fixtures/methodologies/testq): staff k = 3, clients k = 2.
UNEVEN = st.sampled_from([1, 2, 4, 7, 4, 7, "dk", None])
THREE = st.sampled_from([1, 2, 3, 3, 2, "dk", "na", None])


@st.composite
def staff_answers(draw: st.DrawFn) -> dict[str, AnswerValue]:
    # Mostly carers: a nurse or an "other" is the rare respondent an attacker looks for.
    role = draw(st.sampled_from(["carer", "carer", "carer", "nurse", "other", None]))
    found: dict[str, AnswerValue | None] = {
        "staff.role": role,
        "staff.goals": draw(UNEVEN),
        "staff.pressure": draw(UNEVEN),
        "staff.night": draw(UNEVEN) if role == "nurse" else None,
        "staff.training": draw(
            st.sampled_from([None, ("first_aid",), ("first_aid", "dementia"), ("rights",)])
        ),
        "staff.years": draw(st.sampled_from([None, 1.0, 3.0, 12.0])),
        "staff.comment": draw(st.sampled_from([None, None, "No time.", "Good team."])),
    }
    return {k: v for k, v in found.items() if v is not None}


@st.composite
def client_answers(draw: st.DrawFn) -> dict[str, AnswerValue]:
    found: dict[str, AnswerValue | None] = {
        "clients.respect": draw(THREE),
        "clients.outcome": draw(THREE),
        "clients.helper": draw(st.sampled_from(["no", "no", "yes", None])),
    }
    return {k: v for k, v in found.items() if v is not None}


def answers_of(group: str) -> st.SearchStrategy[dict[str, AnswerValue]]:
    return staff_answers() if group == "staff" else client_answers()


def ignored() -> set[str]:
    """Kinds of leak a machine does not report: those already reported (adversary.REPORTED,
    each with its reproduction) and any named in QMS_PRIVACY_IGNORE."""
    extra = {k for k in os.environ.get("QMS_PRIVACY_IGNORE", "").split(",") if k}
    if os.environ.get("QMS_PRIVACY_ALL") == "1":
        return extra  # the reported kinds too: does the search find them by itself?
    return set(REPORTED) | extra


def debug_summary(world: Any) -> None:
    if os.environ.get("QMS_PRIVACY_DEBUG"):
        print(f"{type(world).__name__}: {world.summary()}", file=sys.stderr)

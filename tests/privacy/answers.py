"""Respondents' answers for the adversary's worlds: valid answers of one group, with
blanks, missing codes and `when` conditions respected, drawn from a seeded generator
(example tests) or built from hypothesis draws (the machines)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Item, Methodology


def value_for(
    m: Methodology, item: Item, rng: random.Random, *, blanks: float = 0.1
) -> AnswerValue | None:
    if rng.random() < blanks:
        return None
    if item.type == "scale":
        scale = m.item_scale(item)
        values: list[AnswerValue] = [*scale.values(), *scale.missing_codes()]
        return rng.choice(values)
    if item.type == "choice":
        return rng.choice([o.value for o in item.options])
    if item.type == "multi":
        options = [o.value for o in item.options]
        chosen = set(rng.sample(options, rng.randint(1, min(2, len(options)))))
        return tuple(o for o in options if o in chosen)
    if item.type == "number":
        return float(rng.randint(int(item.min or 0), int(min(item.max or 10, 10))))
    return rng.choice(["More outings, please.", "Kind staff.", "The bus is late."])


def answers_for(
    m: Methodology,
    group: str,
    rng: random.Random,
    fixed: Mapping[str, AnswerValue] | None = None,
    *,
    blanks: float = 0.1,
) -> dict[str, AnswerValue]:
    """One respondent's answers; `fixed` answers are kept (None in it: left blank)."""
    fixed = fixed or {}
    answers: dict[str, AnswerValue] = {}
    for item in m.questionnaires[group].items:
        if not is_shown(item, answers):
            continue
        value = fixed[item.id] if item.id in fixed else value_for(m, item, rng, blanks=blanks)
        if value is not None:
            answers[item.id] = value
    return answers

"""The working group's pages: members' own scores, the consensus, who may do what."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import consensus
from qms.store.cycles import close_cycle, create_cycle, get_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.scores import cycle_scores
from qms.store.snapshots import read_snapshot

Client = TestClient[Litestar]


@pytest.fixture
def cycle_id(world: Any, database: Database) -> int:
    with database.session() as s:
        snapshot = read_snapshot(Path("questionnaires"), "socquality")
        made = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot)
        s.commit()
        return made.id


def test_members_enter_their_scores_and_the_head_agrees(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    base = f"/staff/cycles/{cycle_id}"
    sign_in(client, world.email("staff"))
    page = client.get(base + "/assessment?lang=en")
    assert page.status_code == 200
    assert 'name="org.mission" value="40"' in page.text
    assert "Evidence: the approved document" in page.text  # the item's evidence hint
    saved = form_post(client, base + "/assessment", {"org.mission": "40", "org.leaders": "60"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert 'value="40" checked' in page.text and "saved" in page.text
    # Staff may read the consensus page but not record the consensus (RULES: head only,
    # and a refusal about an organisation answers 404).
    page = client.get(base + "/consensus")
    assert page.status_code == 200 and 'name="evidence:org.mission"' not in page.text
    assert form_post(client, base + "/consensus", {"org.mission": "50"}).status_code == 404
    bad = form_post(client, base + "/assessment", {"org.mission": "45"})
    assert bad.status_code == 422 and "Choose a score from the scale." in bad.text

    client.cookies.clear()
    sign_in(client, world.email("head"))
    assert form_post(client, base + "/assessment", {"org.mission": "80"}).status_code == 303
    page = client.get(base + "/consensus?lang=en")
    assert "2 scores: lowest 40, median 60, highest 80" in page.text
    assert "Wide spread" in page.text
    saved = form_post(
        client,
        base + "/consensus",
        {
            "org.mission": "60",
            "evidence:org.mission": "Minutes of 3 May",
            "strengths:org.mission": "Values are known",
            "improvements:org.mission": "Review yearly",
        },
    )
    assert saved.status_code == 303
    page = client.get(base + "/consensus")
    assert 'value="60" checked' in page.text and "Minutes of 3 May" in page.text

    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        close_cycle(s, cycle)  # the agreed score is released at the close
        s.commit()
        stats = cycle_scores(s, cycle).item("organisation", "org.mission")
        assert stats is not None and stats.n == 1 and stats.mean == 60
        assert consensus.consensus_notes(s, cycle)["org.mission"].improvements == "Review yearly"


def test_another_organisations_head_gets_404(
    client: Client,
    world: Any,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head_b"))
    base = f"/staff/cycles/{cycle_id}"
    assert client.get(base + "/assessment").status_code == 404
    assert client.get(base + "/consensus").status_code == 404
    assert form_post(client, base + "/consensus", {"org.mission": "60"}).status_code == 404


def test_a_closed_cycle_is_read_only(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        consensus.save_consensus(s, cycle, {"org.mission": 70}, actor_id=None)
        close_cycle(s, cycle)
        s.commit()
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    page = client.get(base + "/consensus?lang=en")
    assert page.status_code == 200
    assert "This cycle is closed" in page.text and 'class="consensus-form"' not in page.text
    assert '<strong class="score">70</strong>' in page.text
    assert form_post(client, base + "/consensus", {"org.mission": "60"}).status_code == 409
    assert form_post(client, base + "/assessment", {"org.mission": "60"}).status_code == 409
    assert "This cycle is closed" in client.get(base + "/assessment").text

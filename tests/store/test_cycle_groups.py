"""A cycle asks only the groups chosen when it was made: no codes, open links, paper forms
or imported answers for the others."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.store.codes import create_codes, create_open_link
from qms.store.cycles import asked_groups, create_cycle, require_group, takes_part
from qms.store.errors import GroupNotInCycle, StoreError
from qms.store.importing import ImportRejected, import_responses
from qms.store.models import AccessCode, Answer, Cycle, ItemCount, Response
from qms.store.orgs import create_organisation
from qms.store.responses import enter_paper
from qms.store.snapshots import Snapshot, cycle_methodology

CountRows = Callable[[Session, type], int]


@pytest.fixture
def staff_cycle(session: Session, snapshot: Snapshot) -> Cycle:
    """A cycle of the test methodology that asks the working group and staff, not clients."""
    org = create_organisation(session, "Aprūpes centrs Avoti")
    made = create_cycle(session, org, 2026, snapshot, groups={"staff": 5, "organisation": None})
    session.commit()
    return made


def test_a_cycle_without_a_choice_asks_every_group(session: Session, cycle: Cycle) -> None:
    assert asked_groups(session, cycle) == ("organisation", "staff", "clients")
    assert takes_part(session, cycle, "clients")
    assert not takes_part(session, cycle, "nobody")


def test_a_cycle_asks_only_its_groups_in_the_methodologys_order(
    session: Session, staff_cycle: Cycle
) -> None:
    # Chosen as staff then organisation; shown as the methodology lists them.
    assert asked_groups(session, staff_cycle) == ("organisation", "staff")
    assert takes_part(session, staff_cycle, "staff")
    assert not takes_part(session, staff_cycle, "clients")
    require_group(session, staff_cycle, "staff")
    with pytest.raises(GroupNotInCycle) as refused:
        require_group(session, staff_cycle, "clients")
    assert refused.value.groups == ("organisation", "staff")
    assert str(refused.value) == (
        f"group clients does not take part in cycle {staff_cycle.id} "
        "(its groups: organisation, staff)"
    )


def test_no_codes_or_open_links_for_a_group_left_out(
    session: Session, staff_cycle: Cycle, count_rows: CountRows
) -> None:
    create_codes(session, staff_cycle, "staff", 2)
    session.commit()
    with pytest.raises(GroupNotInCycle, match=r"group clients .*its groups: organisation, staff"):
        create_codes(session, staff_cycle, "clients", 3)
    session.rollback()
    with pytest.raises(GroupNotInCycle):
        create_open_link(session, staff_cycle, "clients", 10)
    session.rollback()
    assert count_rows(session, AccessCode) == 2


def test_an_unknown_group_names_the_cycles_groups(session: Session, staff_cycle: Cycle) -> None:
    with pytest.raises(StoreError, match=r"unknown group 'nobody' \(groups: organisation, staff\)"):
        create_codes(session, staff_cycle, "nobody", 3)


def test_no_paper_forms_for_a_group_left_out(
    session: Session, staff_cycle: Cycle, count_rows: CountRows
) -> None:
    with pytest.raises(GroupNotInCycle, match="group clients does not take part"):
        enter_paper(
            session, staff_cycle, group="clients", entry="a1", answers={"clients.respect": 3}
        )
    session.rollback()
    enter_paper(session, staff_cycle, group="staff", entry="a2", answers={"staff.goals": 7})
    session.commit()
    assert count_rows(session, Response) == 1


def _rows(*lines: tuple[str, str, str, str]) -> list[Row]:
    return [Row(n, *line) for n, line in enumerate(lines, start=2)]


def test_an_import_with_rows_of_a_group_left_out_stores_nothing(
    session: Session, staff_cycle: Cycle, count_rows: CountRows
) -> None:
    rows = _rows(
        ("s1", "staff", "staff.goals", "7"),
        ("c1", "clients", "clients.respect", "3"),
        ("c1", "clients", "clients.outcome", "dk"),
        ("s2", "staff", "staff.goals", "4"),
    )
    parsed = validate_rows(cycle_methodology(staff_cycle), rows)
    assert not parsed.errors  # the methodology knows every row; only the cycle refuses
    with pytest.raises(ImportRejected) as rejected:
        import_responses(session, staff_cycle, parsed, label="t.csv")
    session.rollback()
    reason = f"group clients does not take part in cycle {staff_cycle.id} (its groups: "
    assert rejected.value.lines == [
        f"t.csv:3: {reason}organisation, staff)",
        f"t.csv:4: {reason}organisation, staff)",
    ]
    assert rejected.value.total == 2
    for model in (Response, Answer, ItemCount):
        assert count_rows(session, model) == 0


def test_a_row_refused_already_is_reported_once(session: Session, staff_cycle: Cycle) -> None:
    rows = _rows(
        ("c1", "clients", "clients.respect", "9"),  # out of the scale, and not asked
        ("c1", "clients", "clients.outcome", "2"),
    )
    parsed = validate_rows(cycle_methodology(staff_cycle), rows)
    with pytest.raises(ImportRejected) as rejected:
        import_responses(session, staff_cycle, parsed, label="t.csv")
    [value_error, group_error] = rejected.value.lines
    assert value_error.startswith("t.csv:2: item clients.respect")
    assert group_error.startswith("t.csv:3: group clients does not take part")

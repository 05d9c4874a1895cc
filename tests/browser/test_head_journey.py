"""A service head runs a cycle in Latvian, the whole way of issue 6: creates and opens
it, watches responses arrive without reloading (htmx polls the table), leads the working
group's consensus, closes the cycle, reads the results and the gaps, compares it with
last year, writes an action into the improvement plan and downloads the PDF report for
the council."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from qms.store import codes, directory, users
from qms.store.cycles import close_cycle, create_cycle, get_cycle, get_organisation
from qms.store.db import Database
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.browser.respondent_pages import DESKTOP, PHONE, NewContext

pytestmark = pytest.mark.browser

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
ORGANISATION = "Dienas centrs Ceļš"
EMAIL = "journey-head@example.org"
PASSWORD = "journey head password 2026"
# Two staff members of the organisation: with the head they are its working group.
MEMBERS = (
    ("journey-member-a@example.org", "journey member a password 2026"),
    ("journey-member-b@example.org", "journey member b password 2026"),
)
MISSION = re.compile(r"^Misija, vīzija un vērtības")  # org.mission, sub-criterion 1.1
TARGETS = re.compile(r"^Gada darba plānā")  # org.targets, sub-criterion 2.2
# Two clients answer clients.respect with 5 and 4: a mean of 87.5 that must never be
# shown, since clients need at least 5 answers (methodology.yaml, min_n).
CLIENTS_HIDDEN_MEAN = "87.5"
FEWER_THAN_5 = "mazāk nekā 5 atbildes"
ORG_TITLE = "Organizācija (pašnovērtējuma darba grupa)"

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _accessible(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert not results.violations_count, f"{page.url}:\n{results.generate_report()}"


def _seed(url: str) -> int:
    """An organisation with last year's closed cycle, its head and two staff members;
    returns its id."""
    db = Database(url)
    try:
        with db.session() as s:
            org_id = directory.create_organisation(s, ORGANISATION, actor_id=None)
            head = users.create_user(s, EMAIL, PASSWORD, actor_id=None)
            users.add_role(s, head, "head", organisation_id=org_id, actor_id=None)
            for email, password in MEMBERS:
                member = users.create_user(s, email, password, actor_id=None)
                users.add_role(s, member, "staff", organisation_id=org_id, actor_id=None)
            last = create_cycle(
                s, get_organisation(s, org_id), 2025, read_snapshot(QUESTIONNAIRES, "socquality")
            )
            for n in range(6):
                create_response(
                    s,
                    last,
                    group="staff",
                    respondent=f"r{n}",
                    source="import",
                    submitted=True,
                    answers={"staff.goals": 2 + n % 3},
                )
            close_cycle(s, last)
            s.commit()
            return org_id
    finally:
        db.dispose()


def _code_for(url: str, cycle_id: int) -> str:
    db = Database(url)
    try:
        with db.session() as s:
            made = codes.create_codes(s, get_cycle(s, cycle_id), "staff", 1)[0]
            s.commit()
            return made
    finally:
        db.dispose()


def _more_answers_arrive(url: str, cycle_id: int) -> None:
    """Five more staff (enough with the web answer: staff.values 75.0, staff.goals 50.0)
    and two clients (below the clients' minimum of 5)."""
    db = Database(url)
    try:
        with db.session() as s:
            cycle = get_cycle(s, cycle_id)
            for n, (values, goals) in enumerate([(4, 2), (4, 3), (5, 4), (3, 3), (4, 3)]):
                create_response(
                    s,
                    cycle,
                    group="staff",
                    respondent=f"s{n}",
                    source="import",
                    submitted=True,
                    answers={"staff.values": values, "staff.goals": goals},
                )
            for n, respect in enumerate([5, 4]):
                create_response(
                    s,
                    cycle,
                    group="clients",
                    respondent=f"c{n}",
                    source="import",
                    submitted=True,
                    answers={"clients.respect": respect},
                )
            s.commit()
    finally:
        db.dispose()


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login?lang=lv")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff"))


def _to_cycle(page: Page, year: int) -> None:
    page.get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("link", name=str(year), exact=True).click()


def _my_scores(page: Page, scores: dict[re.Pattern[str], int]) -> None:
    """On the cycle page: a working-group member scores statements on their own."""
    page.get_by_role("link", name="Mani vērtējumi").click()
    for statement, value in scores.items():
        page.get_by_role("group", name=statement).get_by_label(str(value), exact=True).check()
    page.get_by_role("button", name="Saglabāt manus vērtējumus").click()
    expect(page.locator(".notice")).to_have_text("Jūsu vērtējumi ir saglabāti.")


def _statement(page: Page, node: str, statement: re.Pattern[str]) -> Locator:
    """A statement of the consensus page, inside its sub-criterion's section."""
    section = page.locator("section.criterion").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(node)} "), level=2)
    )
    return section.locator("article.consensus-item").filter(
        has=page.get_by_role("heading", name=statement, level=3)
    )


def _column(table: Locator, title: str) -> int:
    """The index among a row's <td> cells of the column headed `title`."""
    headers = table.locator("thead th").all_inner_texts()
    found = [i for i, text in enumerate(headers) if text.strip().startswith(title)]
    assert found, headers
    return found[0] - 1  # the first header is the criterion's, a <th> in every row


def _cell(table: Locator, node: str, group: str) -> Locator:
    row = table.locator("tbody tr").filter(
        has=table.page.locator("th", has_text=re.compile(rf"^\s*{re.escape(node)} "))
    )
    expect(row).to_have_count(1)
    return row.locator("td").nth(_column(table, group))


def _lead_the_consensus(head: Page, new_context: NewContext, screenshots: Path) -> None:
    # Members score on their own, each in their own browser.
    own = ({MISSION: 40, TARGETS: 30}, {MISSION: 70, TARGETS: 50})
    for (email, password), scores in zip(MEMBERS, own, strict=True):
        member = new_context(locale="lv-LV").new_page()
        _sign_in(member, email, password)
        _to_cycle(member, 2026)
        _my_scores(member, scores)
        # A member may not record the consensus.
        member.get_by_role("link", name="Vienošanās").click()
        expect(member.locator("main")).to_contain_text("var ierakstīt tikai organizācijas vadītājs")
        expect(member.get_by_role("button", name="Saglabāt kopīgo vērtējumu")).to_have_count(0)
        member.context.close()

    _my_scores(head, {MISSION: 60})
    head.get_by_role("link", name="Vienošanās").click()
    mission = _statement(head, "1.1", MISSION)
    expect(mission.locator(".spread")).to_contain_text(
        "Vērtējumu skaits: 3; zemākais 40, mediāna 60, augstākais 70"
    )
    expect(mission.locator(".wide-note")).to_contain_text("Liela izkliede")
    targets = _statement(head, "2.2", TARGETS)
    expect(targets.locator(".spread")).to_contain_text(
        "Vērtējumu skaits: 2; zemākais 30, mediāna 40, augstākais 50"
    )
    expect(targets.locator(".wide-note")).to_have_count(0)
    _accessible(head)

    agreed = mission.get_by_role("group", name="Kopīgais vērtējums")
    agreed.get_by_label("60", exact=True).check()
    mission.get_by_label("Pierādījumi").fill("Vērtības apstiprinātas 2025. gada martā")
    targets.get_by_role("group", name="Kopīgais vērtējums").get_by_label("40", exact=True).check()
    head.get_by_role("button", name="Saglabāt kopīgo vērtējumu").click()
    expect(head.locator(".notice")).to_have_text("Kopīgais vērtējums ir saglabāts.")
    mission = _statement(head, "1.1", MISSION)
    expect(
        mission.get_by_role("group", name="Kopīgais vērtējums").get_by_label("60", exact=True)
    ).to_be_checked()
    expect(mission.get_by_label("Pierādījumi")).to_have_value(
        "Vērtības apstiprinātas 2025. gada martā"
    )
    expect(
        _statement(head, "2.2", TARGETS)
        .get_by_role("group", name="Kopīgais vērtējums")
        .get_by_label("40", exact=True)
    ).to_be_checked()
    mission.screenshot(path=str(screenshots / "head-consensus-lv.png"))
    head.get_by_role("link", name=re.compile(r"^Cikls 2026")).click()


def _read_the_results(head: Page, screenshots: Path) -> None:
    head.get_by_role("link", name="Rezultāti", exact=True).click()
    expect(head.locator("h1")).to_have_text(f"Rezultāti: {ORGANISATION}, 2026")

    table = head.locator("#table table.results-table")
    staff = _cell(table, "1.1", "Darbinieki")
    expect(staff.locator("strong")).to_have_text("75.0")
    expect(staff).to_contain_text(re.compile(r"n\s=\s5"))
    consensus = _cell(table, "1.1", ORG_TITLE)
    expect(consensus.locator("strong")).to_have_text("60.0")
    expect(consensus).to_contain_text(re.compile(r"n\s=\s1"))
    expect(_cell(table, "2.2", "Darbinieki").locator("strong")).to_have_text("50.0")
    for node in ("6.1", "6"):
        clients = _cell(table, node, "Klienti")
        expect(clients).to_have_class("few")
        expect(clients).to_contain_text(FEWER_THAN_5)
        expect(clients).to_contain_text(re.compile(r"n\s=\s2"))
        expect(clients.locator("strong")).to_have_count(0)
    expect(head.locator("main")).not_to_contain_text(CLIENTS_HIDDEN_MEAN)

    head.get_by_role("link", name="Diagramma", exact=True).click()
    radar = head.locator("#chart img")
    width = radar.evaluate("async img => { await img.decode(); return img.naturalWidth; }")
    assert width > 0
    data = head.locator("#chart table.chart-data")
    expect(_cell(data, "1", "Darbinieki")).to_have_text("75.0")
    expect(_cell(data, "1", ORG_TITLE)).to_have_text("60.0")
    expect(_cell(data, "6", "Klienti")).to_have_text(FEWER_THAN_5)
    head.screenshot(path=str(screenshots / "head-results-lv.png"), full_page=True)
    _accessible(head)

    head.set_viewport_size(PHONE)
    head.get_by_role("link", name="Atšķirības", exact=True).click()
    gaps = head.locator("#gaps table.gaps tbody tr")
    # The consensus against staff (the only other group with scores), for 1, 1.1, 2, 2.2;
    # staff against clients never, since the clients' scores are hidden.
    expect(gaps).to_have_count(4)
    nodes = [text.split()[0] for text in gaps.locator("th").all_inner_texts()]
    assert nodes == ["1", "1.1", "2", "2.2"]  # largest first: 60 − 75, then 40 − 50
    expect(gaps.first).to_contain_text(f"{ORG_TITLE} – visi pārējie")
    gap = gaps.first.locator("td").nth(3)
    expect(gap).to_have_text("-15.0")
    # On a phone the gap itself must be readable without scrolling sideways.
    box = gap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(head.locator("#gaps")).not_to_contain_text("Klienti")
    head.locator("#gaps").screenshot(path=str(screenshots / "head-gaps-lv-phone.png"))
    # Again on the phone, where the wide tables scroll and the gaps stack.
    _accessible(head)
    head.screenshot(path=str(screenshots / "head-results-lv-phone.png"), full_page=True)
    head.set_viewport_size(DESKTOP)


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _download_the_report(head: Page, artifacts: Path) -> None:
    head.get_by_role("link", name="Rezultāti", exact=True).click()
    head.get_by_role("link", name="Lejupielādes", exact=True).click()
    with head.expect_download() as info:
        head.locator("#downloads").get_by_role("link", name="Pārskats (PDF)").click()
    pdf = artifacts / "head-report-lv.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "KVALITĀTES PAŠNOVĒRTĒJUMA PĀRSKATS" in text.upper()  # the kicker is upper case
    assert ORGANISATION in text
    assert "Supervīzija reizi mēnesī" in text
    # The staff's scores are there, so a missing number is no accident of extraction.
    assert "75.0" in text and "60.0" in text
    # The summary's clients row: its respondents, then the wording where a score would be.
    assert f"Klienti 2 {FEWER_THAN_5}" in text
    assert CLIENTS_HIDDEN_MEAN not in text


def test_a_head_runs_a_cycle_in_latvian(
    new_context: NewContext, browser_database_url: str, screenshots: Path
) -> None:
    _seed(browser_database_url)
    head = new_context(viewport=DESKTOP, locale="lv-LV").new_page()
    _sign_in(head, EMAIL, PASSWORD)

    # A new cycle: all groups, a target for staff.
    head.get_by_role("link", name=ORGANISATION).click()
    head.get_by_role("link", name="Jauns cikls").click()
    _accessible(head)
    head.fill("#year", "2026")
    head.locator('[id="target:staff"]').fill("2")
    head.get_by_role("button", name="Izveidot ciklu").click()
    head.wait_for_url(re.compile(r"/staff/cycles/\d+\?done=created"))
    found = re.search(r"/staff/cycles/(\d+)", head.url)
    assert found
    cycle_id = int(found.group(1))
    expect(head.locator(".notice")).to_contain_text("melnraksts")

    head.get_by_role("button", name="Atvērt ciklu").click()
    expect(head.locator(".notice")).to_contain_text("Cikls ir atvērts")
    staff_row = head.locator("#group-staff")
    expect(staff_row.locator("td.submitted")).to_have_text(re.compile(r"^\s*0"))
    head.evaluate("window.__stillTheSamePage = true")

    # Someone answers in another browser.
    code = _code_for(browser_database_url, cycle_id)
    respondent = new_context(locale="lv-LV").new_page()
    respondent.goto(f"/a/{code}/1?lang=lv")
    # Each part is sent before the next is opened: a navigation that starts while the
    # form's post is under way would cancel it.
    respondent.locator('input[name="staff.role"]').first.check()
    with respondent.expect_navigation():
        respondent.locator('button[value="next"]').click()
    respondent.goto(f"/a/{code}/3")
    respondent.locator('input[name="staff.rights"]').first.check()
    with respondent.expect_navigation():
        respondent.locator('button[value="next"]').click()
    respondent.goto(f"/a/{code}/review")
    respondent.locator("form.send-form button[type=submit]").click()
    respondent.wait_for_url(re.compile(r"/done$"))

    # The head's table follows without a reload.
    expect(staff_row.locator("td.submitted")).to_have_text(re.compile(r"^\s*1"))
    expect(staff_row.locator(".rate-value")).to_have_text("50%")
    assert head.evaluate("window.__stillTheSamePage") is True
    head.screenshot(path=str(screenshots / "head-cycle-live-lv.png"), full_page=True)
    _accessible(head)

    # Paper forms are entered, and the table follows again.
    _more_answers_arrive(browser_database_url, cycle_id)
    expect(staff_row.locator("td.submitted")).to_have_text(re.compile(r"^\s*6"))
    expect(head.locator("#group-clients td.submitted")).to_have_text(re.compile(r"^\s*2"))
    assert head.evaluate("window.__stillTheSamePage") is True

    _lead_the_consensus(head, new_context, screenshots)

    # Closing needs the confirmation.
    head.get_by_role("button", name="Slēgt ciklu").click()
    expect(head.locator("#confirm-error")).to_be_visible()
    head.check("#confirm")
    head.get_by_role("button", name="Slēgt ciklu").click()
    expect(head.locator(".notice")).to_contain_text("Cikls ir slēgts")
    expect(head.get_by_role("button", name="Atvērt ciklu atkārtoti")).to_be_visible()

    _read_the_results(head, screenshots)

    head.locator(".breadcrumbs").get_by_role("link", name="2026").click()
    head.get_by_role("link", name="Salīdzinājums pa gadiem").click()
    expect(head.locator("h2").first).to_have_text("Izmaiņas no 2025. līdz 2026. gadam")
    head.screenshot(path=str(screenshots / "head-compare-lv.png"), full_page=True)
    _accessible(head)

    head.locator(".breadcrumbs").get_by_role("link", name="2026").click()
    head.get_by_role("link", name="Pilnveides plāns").click()
    head.select_option("#criterion", "3")
    head.fill("#title", "Supervīzija reizi mēnesī")
    head.fill("#owner", "Vadītāja")
    head.get_by_role("button", name="Pievienot pasākumu").click()
    expect(head.locator(".plan-action h3")).to_have_text("Supervīzija reizi mēnesī")
    expect(head.locator(".plan-action .notice")).to_have_text("Saglabāts.")
    head.screenshot(path=str(screenshots / "head-plan-lv.png"), full_page=True)
    _accessible(head)

    head.locator(".breadcrumbs").get_by_role("link", name="2026").click()
    _download_the_report(head, screenshots)

"""The respondent's view layer: posts read into answers, and what a section page shows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qms.methodology.answers import check_value
from qms.methodology.model import (
    Band,
    ChoiceOption,
    Group,
    Item,
    Methodology,
    MissingOption,
    Questionnaire,
    Range,
    Scale,
    ScaleOption,
    Section,
    Text,
    When,
)
from qms.web.respond import forms, views


def t(en: str, lv: str | None = None) -> Text:
    return Text.of({"en": en, **({"lv": lv} if lv else {})}, "en")


AGREE = Scale(
    "agree3",
    options=(ScaleOption(1, t("No")), ScaleOption(2, t("Partly")), ScaleOption(3, t("Yes"))),
    missing=(MissingOption("dk", t("Don't know")), MissingOption("na", t("Not applicable"))),
)
PANEL = Scale(
    "panel",
    range=Range(0, 100, 10),
    bands=(Band(0, 40, t("Starting")), Band(50, 90, t("Doing")), Band(100, 100, t("Leading"))),
)
ITEMS = (
    Item(
        "q.respect",
        "scale",
        t("Staff respect me", "Darbinieki mani ciena"),
        criterion="1",
        scale="agree3",
        easy_read=t("Staff are kind to me"),
        required=True,
    ),
    Item(
        "q.helped",
        "choice",
        t("Did someone help?"),
        options=(ChoiceOption("yes", t("Yes")), ChoiceOption("no", t("No"))),
    ),
    Item(
        "q.helper",
        "choice",
        t("Who helped?"),
        when=When("q.helped", ("yes",)),
        options=(ChoiceOption("family", t("Family")), ChoiceOption("staff", t("Staff"))),
    ),
    Item(
        "q.maturity",
        "scale",
        t("How mature?"),
        criterion="1",
        scale="panel",
        help=t("Evidence: minutes"),
    ),
)
LATER = (
    Item(
        "q.channels",
        "multi",
        t("Where do you hear of us?"),
        options=(
            ChoiceOption("web", t("Web")),
            ChoiceOption("press", t("Press")),
            ChoiceOption("people", t("People")),
        ),
    ),
    Item("q.days", "number", t("Waiting days"), min=0, max=30, unit=t("days"), required=True),
    Item("q.wish", "text", t("Wishes"), max_length=20),
)
QUESTIONNAIRE = Questionnaire(
    "clients",
    (Section("one", t("One"), ITEMS), Section("two", t("Two"), LATER)),
    intro=t("Hello"),
)
METHODOLOGY = Methodology(
    "m",
    "1",
    t("Method"),
    ("en", "lv"),
    (Group("clients", t("Clients"), "individual", 5),),
    (AGREE, PANEL),
    (),
    {"clients": QUESTIONNAIRE},
)


def item(item_id: str) -> Item:
    return METHODOLOGY.item(item_id)


def read(item_id: str, *values: str, lang: str = "en") -> tuple[object, str | None]:
    value, problem = forms.read_item(METHODOLOGY, item(item_id), values, lang)
    return value, problem.text(lang) if problem else None


def test_each_type_is_read_into_its_typed_answer() -> None:
    assert read("q.respect", "2") == (2, None)
    assert read("q.respect", "dk") == ("dk", None)
    assert read("q.maturity", "70") == (70, None)
    assert read("q.helped", "yes") == ("yes", None)
    assert read("q.channels", "people", "web") == (("web", "people"), None)
    assert read("q.days", " 12 ") == (12.0, None)
    assert read("q.wish", "  more time  ") == ("more time", None)
    for item_id in ("q.respect", "q.helped", "q.channels", "q.days", "q.wish"):
        assert read(item_id) == (None, None)
        assert read(item_id, "   ") == (None, None)


def test_values_that_are_not_options_are_refused_with_a_message() -> None:
    assert read("q.respect", "4") == (None, "Choose one of the options")
    assert read("q.respect", "2.0") == (None, "Choose one of the options")
    assert read("q.maturity", "75") == (None, "Choose one of the options")
    assert read("q.helped", "maybe") == (None, "Choose one of the options")
    assert read("q.channels", "web", "tv") == (None, "Choose only from the options shown")


def test_numbers_are_read_as_the_language_writes_them() -> None:
    assert read("q.days", "2,5", lang="lv") == (2.5, None)
    assert read("q.days", "2.5", lang="lv") == (2.5, None)
    assert read("q.days", "1\u00a0200", lang="lv")[0] is None  # read as 1200: above 30
    assert forms.read_item(METHODOLOGY, item("q.days"), ("1,200",), "en")[1] is not None
    big = Item("q.big", "number", t("Big"))
    assert forms.read_item(METHODOLOGY, big, ("1,200",), "en")[0] == 1200.0
    assert forms.read_item(METHODOLOGY, big, ("1,200",), "lv")[0] == 1.2
    assert read("q.days", "31") == (None, "Enter a number between 0 and 30")
    assert read("q.days", "many") == (None, "Enter a number between 0 and 30")
    assert read("q.days", "many", lang="lv") == (None, "Ievadiet skaitli no 0 līdz 30")
    assert read("q.days", "1e3")[0] is None
    assert read("q.days", "nan")[0] is None


def test_text_length_counts_a_line_break_once_as_the_browser_does() -> None:
    assert read("q.wish", "a" * 9 + "\r\n" + "b" * 10) == ("a" * 9 + "\n" + "b" * 10, None)
    assert read("q.wish", "a" * 21) == (None, "Use at most 20 characters")
    unlimited = Item("q.free", "text", t("Free"))
    value, problem = forms.read_item(METHODOLOGY, unlimited, ("x" * 10_001,), "en")
    assert value is None
    assert problem is not None
    assert problem.text("en") == "Use at most 10,000 characters"


@settings(max_examples=300, deadline=None)
@given(
    item_id=st.sampled_from([i.id for i in (*ITEMS, *LATER)]),
    values=st.lists(st.text(max_size=40), max_size=4),
    lang=st.sampled_from(["en", "lv", "lt"]),
)
def test_nothing_typed_raises_and_every_value_read_is_valid(
    item_id: str, values: list[str], lang: str
) -> None:
    value, problem = forms.read_item(METHODOLOGY, item(item_id), values, lang)
    if value is not None:
        assert problem is None
        assert check_value(METHODOLOGY, item(item_id), value) == value
    if problem is not None:
        assert problem.text(lang)


def test_a_section_post_checks_required_items_and_applies_conditions() -> None:
    post = {"q.respect": [""], "q.helped": ["yes"], "q.helper": ["family"]}
    result = forms.read_section(METHODOLOGY, QUESTIONNAIRE, 1, post, {}, "en")
    assert set(result.errors) == {"q.respect"}
    assert result.errors["q.respect"].text("en") == "Choose one of the options"
    assert result.answers == {"q.helped": "yes", "q.helper": "family"}
    going_back = forms.read_section(METHODOLOGY, QUESTIONNAIRE, 1, post, {}, "en", require=False)
    assert going_back.errors == {}

    # "No" hides the helper question, and its answer goes with it.
    before = {"q.respect": 3, "q.helped": "yes", "q.helper": "family"}
    post = {"q.respect": ["3"], "q.helped": ["no"], "q.helper": ["family"]}
    result = forms.read_section(METHODOLOGY, QUESTIONNAIRE, 1, post, before, "en")
    assert result.ok
    assert result.answers == {"q.respect": 3, "q.helped": "no"}


def test_a_question_revealed_by_the_post_keeps_the_page() -> None:
    # The page showed no helper question; answering "yes" brings it in.
    post = {
        "_shown": ["q.respect", "q.helped", "q.maturity"],
        "q.respect": ["1"],
        "q.helped": ["yes"],
    }
    result = forms.read_section(METHODOLOGY, QUESTIONNAIRE, 1, post, {}, "en")
    assert result.errors == {}
    assert result.revealed == ("q.helper",)
    assert not result.ok


def test_a_bad_value_keeps_the_saved_answer_and_what_was_typed() -> None:
    post = {"q.days": ["forty"], "q.wish": ["ok"]}
    result = forms.read_section(METHODOLOGY, QUESTIONNAIRE, 2, post, {"q.days": 3.0}, "en")
    assert result.answers == {"q.days": 3.0, "q.wish": "ok"}
    assert result.raw == {"q.days": ("forty",)}
    view = views.section_view(
        METHODOLOGY,
        QUESTIONNAIRE,
        2,
        lang="en",
        easy=False,
        answers=result.answers,
        raw=result.raw,
        errors=result.errors,
    )
    days = next(i for i in view.items if i.id == "q.days")
    assert days.value == "forty"
    assert days.error == "Enter a number between 0 and 30"
    assert view.errors[0].href == "#q-q-days-input"
    assert view.errors[0].question == "Waiting days"


def test_saving_one_item_at_a_time() -> None:
    answers, problem = forms.save_item(
        METHODOLOGY, QUESTIONNAIRE, "q.helped", {"q.helped": ["yes"]}, {}, "en"
    )
    assert problem is None
    assert answers == {"q.helped": "yes"}
    answers, problem = forms.save_item(
        METHODOLOGY, QUESTIONNAIRE, "q.helper", {"q.helper": ["staff"]}, answers, "en"
    )
    assert answers == {"q.helped": "yes", "q.helper": "staff"}
    answers, problem = forms.save_item(
        METHODOLOGY, QUESTIONNAIRE, "q.helped", {"q.helped": ["no"]}, answers, "en"
    )
    assert answers == {"q.helped": "no"}
    # A hidden item cannot be answered, and a bad value leaves the answers as they were.
    same, problem = forms.save_item(
        METHODOLOGY, QUESTIONNAIRE, "q.helper", {"q.helper": ["staff"]}, answers, "en"
    )
    assert same == answers
    assert problem is not None
    same, problem = forms.save_item(
        METHODOLOGY, QUESTIONNAIRE, "q.days", {"q.days": ["-1"]}, answers, "en"
    )
    assert same == answers
    assert problem is not None


def test_the_section_view_shows_labels_options_and_conditions() -> None:
    answers = {"q.respect": "na", "q.maturity": 60}
    view = views.section_view(METHODOLOGY, QUESTIONNAIRE, 1, lang="lv", easy=False, answers=answers)
    respect, helped, helper, maturity = view.items
    assert (view.number, view.count, view.title, view.has_previous) == (1, 2, "One", False)
    assert respect.label == "Darbinieki mani ciena"
    assert respect.required
    assert respect.widget == "radios"
    assert [c.value for c in respect.choices] == ["1", "2", "3"]
    assert [(c.value, c.checked) for c in respect.missing] == [("dk", False), ("na", True)]
    assert helped.shown
    assert not helper.shown
    assert maturity.widget == "panel"
    assert maturity.help == "Evidence: minutes"
    assert [(b.low, b.high, [c.value for c in b.choices]) for b in maturity.bands] == [
        (0, 40, ["0", "10", "20", "30", "40"]),
        (50, 90, ["50", "60", "70", "80", "90"]),
        (100, 100, ["100"]),
    ]
    assert [c.value for b in maturity.bands for c in b.choices if c.checked] == ["60"]
    # Text.get falls back to the default language where a translation is missing.
    assert helped.label == "Did someone help?"
    assert view.progress == views.Progress(1, 2, 2, 6)


def test_easy_read_wording_replaces_the_text_where_there_is_one() -> None:
    view = views.section_view(METHODOLOGY, QUESTIONNAIRE, 1, lang="en", easy=True, answers={})
    assert view.items[0].label == "Staff are kind to me"
    assert view.items[0].easy
    assert view.items[1].label == "Did someone help?"
    assert not view.items[1].easy


def test_progress_counts_shown_items_and_missing_answers_count_as_answers() -> None:
    assert views.progress(QUESTIONNAIRE, {}) == views.Progress(0, 2, 0, 6)
    answers = {"q.respect": "dk", "q.helped": "yes", "q.helper": "staff"}
    assert views.progress(QUESTIONNAIRE, answers, 2) == views.Progress(2, 2, 3, 7)


def test_the_review_lists_answers_in_words_and_links_missing_required_ones() -> None:
    answers = {
        "q.respect": 3,
        "q.helped": "yes",
        "q.maturity": 100,
        "q.channels": ("web", "people"),
        "q.days": 2.5,
        "q.wish": "line\nbreak",
    }
    missing = forms.missing_required(
        QUESTIONNAIRE, {k: v for k, v in answers.items() if k != "q.days"}
    )
    assert [(n, i.id) for n, i in missing] == [(2, "q.days")]
    view = views.review_view(
        METHODOLOGY,
        QUESTIONNAIRE,
        lang="lv",
        easy=False,
        answers=answers,
        missing=("q.days",),
        link=lambda n: f"/x/{n}?return=review",
    )
    rows = {row.item_id: row.answer for s in view.sections for row in s.rows}
    assert rows == {
        "q.respect": "Yes",
        "q.helped": "Yes",
        "q.helper": None,
        "q.maturity": "100",
        "q.channels": "Web, People",
        "q.days": "2,5 days",
        "q.wish": "line\nbreak",
    }
    assert view.errors[0].href == "/x/2?return=review#q-q-days"
    assert view.errors[0].text == "Atbildiet uz jautājumu: Waiting days"


def test_dom_ids_are_safe_in_css_selectors() -> None:
    assert views.dom_id("clients.premises") == "q-clients-premises"
    view = views.item_view(METHODOLOGY, item("q.wish"), lang="en", easy=False, answers={})
    assert view.input_id == "q-q-wish-input"
    assert view.max_length == 20

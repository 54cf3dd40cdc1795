"""The avenant screen: number, date, reason, changes kept before -> after, recorded at once."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Select, TextArea

from revue.app.factory import make_app
from revue.app.screens.avenant import AvenantScreen
from revue.domain.avenant import Avenant, AvenantChange
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import (
    AVENANT_TODAY,
    EPI,
    FIRST,
    TENTATIVE,
    add_change,
    avenant_review,
    choose_change,
    flat,
    open_avenant,
    settle,
    shown,
)


def avenants(url: str) -> list[Avenant]:
    store = Store.open(url)
    try:
        return store.list_avenants(EPI)
    finally:
        store.close()


async def test_record_an_avenant_revising_a_target_and_adding_an_action(sample_url: str) -> None:
    midterm = avenant_review(sample_url)
    results: list[bool | None] = []
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id, results)
        assert "Avenant — Évaluation à mi-parcours 2018-2019 — Épinay-sur-Seine" in flat(app)
        assert screen.query_one("#av-number", Input).value == "1"
        assert screen.query_one("#av-date", Input).value == "20/06/2019"
        assert screen.focused is screen.query_one("#av-reason", TextArea)
        await pilot.press(*"Cible de tentative trop ambitieuse")

        # the objective and the kind, from the keyboard
        screen.query_one("#av-objective", Select).focus()
        await pilot.press("enter", "down", "enter")  # open the list, take the first objective
        await pilot.press("tab", "enter", "down", "down", "enter")  # nature: a target
        await settle(pilot)
        assert screen.query_one("#av-objective", Select).value == FIRST
        assert screen.query_one("#av-kind", Select).value == "indicator-target"
        assert screen.query_one("#av-indicator", Select).value == TENTATIVE
        assert screen.query_one("#av-value", Input).value == "100"  # the current target
        assert screen.query_one("#av-year", Input).value == "2019-2020"
        assert "Cible actuelle : 100 % (2019-2020), fixée par le contrat" in flat(app)
        screen.query_one("#av-value", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", "9", "5", "enter")  # Entrée adds the change
        await settle(pilot)
        assert len(screen.changes) == 1
        assert "Modification ajoutée" in shown(app)

        await choose_change(pilot, screen, FIRST, "action-add")
        what = "Analyse des items non réussis en conseil de cycle"
        screen.query_one("#av-what", Input).value = what
        screen.query_one("#av-who", Input).value = "CPC"
        screen.query_one("#av-when", Input).value = "janvier 2020"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert len(screen.changes) == 2
        text = flat(app)
        assert "100 % (2019-2020)" in text and "95 % (2019-2020)" in text
        assert "action ajoutée" in text

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    assert results == [True]
    [recorded] = avenants(sample_url)
    assert (recorded.number, recorded.date, recorded.reason, recorded.review_id) == (
        1,
        AVENANT_TODAY,
        "Cible de tentative trop ambitieuse",
        midterm.id,
    )
    target, action = recorded.changes
    assert (target.kind, target.objective_id, target.target_id) == (
        "indicator-target",
        FIRST,
        TENTATIVE,
    )
    assert (target.before, target.after) == (
        {"value": 100, "year": "2019-2020"},
        {"value": 95, "year": "2019-2020"},
    )
    assert action.kind == "action-add" and action.before == {}
    assert action.after == {
        "what": "Analyse des items non réussis en conseil de cycle",
        "who": "CPC",
        "when": "janvier 2020",
    }
    store = Store.open(sample_url)
    walk = store.load_walk(midterm.id)
    store.close()
    revised = walk.targets[TENTATIVE]
    assert (revised.initial_value, revised.value, revised.avenant) == (100, 95, 1)
    assert walk.objectives[0].indicators[0].target_value == 95
    assert [(a.what, a.who) for a in walk.objectives[0].actions] == [
        ("Analyse des items non réussis en conseil de cycle", "CPC")
    ]


async def test_bad_date_and_empty_reason_are_explained_and_nothing_is_lost(sample_url: str) -> None:
    midterm = avenant_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        await choose_change(pilot, screen, FIRST, "indicator-target")
        screen.query_one("#av-value", Input).value = "beaucoup"
        await pilot.click("#av-add")
        await settle(pilot)
        assert "« beaucoup » : ce n'est pas un nombre" in flat(app)
        assert screen.changes == [] and screen.query_one("#av-value", Input).value == "beaucoup"
        screen.query_one("#av-value", Input).value = "97,5"
        screen.query_one("#av-year", Input).value = "2020"
        await add_change(pilot)
        assert "écrivez une année scolaire, ex. 2019-2020" in shown(app)
        screen.query_one("#av-year", Input).value = "2019-2020"
        await add_change(pilot)
        assert screen.changes[0].after == {"value": 97.5, "year": "2019-2020"}
        assert "97,5 % (2019-2020)" in shown(app)

        screen.query_one("#av-date", Input).value = "30/02/2019"
        await pilot.press("ctrl+s")  # no reason, impossible date
        await settle(pilot)
        text = flat(app)
        assert "Le 30/02/2019 n'existe pas" in text
        assert "Indiquez le motif de l'avenant" in text
        assert screen.focused is screen.query_one("#av-date", Input)
        assert isinstance(app.screen, AvenantScreen)
        assert screen.query_one("#av-date", Input).value == "30/02/2019"
        assert len(screen.changes) == 1

        screen.query_one("#av-date", Input).value = "20/06/2019"  # the message goes
        await pilot.pause()
        assert "n'existe pas" not in shown(app)
        screen.query_one("#av-date", Input).value = "20/06/2021"
        screen.query_one("#av-number", Input).value = "un"
        screen.query_one("#av-reason", TextArea).text = "Motif"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = flat(app)
        assert "« un » n'est pas un numéro" in text
        assert "Hors de la période du contrat (du 15/06/2018 au 30/06/2020)" in text
        assert isinstance(app.screen, AvenantScreen)
    assert avenants(sample_url) == []


async def test_saving_needs_at_least_one_change(sample_url: str) -> None:
    midterm = avenant_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        screen.query_one("#av-reason", TextArea).text = "Rien encore"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Ajoutez au moins une modification" in shown(app)
        assert isinstance(app.screen, AvenantScreen)
    assert avenants(sample_url) == []


async def test_number_already_taken_and_action_plan_changes(sample_url: str) -> None:
    """A second avenant: its number follows the first; the action the first added can be
    changed then dropped, each change saying what it replaces."""
    midterm = avenant_review(sample_url)
    store = Store.open(sample_url)
    store.record_avenant(
        midterm.id,
        Avenant(
            1,
            dt.date(2019, 3, 1),
            "Premier",
            changes=[
                AvenantChange(
                    "action-add",
                    FIRST,
                    after={"what": "Conseils de cycle", "who": "IEN", "when": "mars"},
                )
            ],
        ),
    )
    action_id = store.load_walk(midterm.id).objectives[0].actions[0].id
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        assert "Avenants déjà enregistrés pour ce contrat : n° 1 du 01/03/2019" in shown(app)
        number = screen.query_one("#av-number", Input)
        assert number.value == "2"
        number.focus()
        await pilot.press("backspace", "1", "tab")  # leaving the field checks it
        await settle(pilot)
        assert screen.focused is screen.query_one("#av-date")
        assert "L'avenant n° 1 existe déjà ; le prochain numéro libre est 2." in shown(app)
        number.value = "2"
        await pilot.pause()
        assert "existe déjà" not in shown(app)

        await choose_change(pilot, screen, FIRST, "action-change")
        assert screen.query_one("#av-action", Select).value == action_id
        assert screen.query_one("#av-what", Input).value == "Conseils de cycle"
        await add_change(pilot)
        assert "l'action n'a pas changé" in shown(app).lower()
        screen.query_one("#av-who", Input).value = "CPC"
        await add_change(pilot)
        await choose_change(pilot, screen, FIRST, "action-drop")
        assert not screen.query_one("#av-fields-action").display
        assert "Conseils de cycle" in flat(app)  # the action to drop is shown
        await add_change(pilot)
        screen.query_one(
            "#av-reason", TextArea
        ).text = "Les conseils passent aux CPC, puis s'arrêtent"
        await pilot.click("#av-save")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    second = avenants(sample_url)[1]
    change, drop = second.changes
    assert (change.kind, change.target_id) == ("action-change", action_id)
    assert change.before == {"what": "Conseils de cycle", "who": "IEN", "when": "mars"}
    assert change.after == {"what": "Conseils de cycle", "who": "CPC", "when": "mars"}
    assert (drop.kind, drop.target_id, drop.after) == ("action-drop", action_id, {})
    assert drop.before == {"what": "Conseils de cycle", "who": "CPC", "when": "mars"}


async def test_objective_text_is_prefilled_and_a_pending_change_can_be_removed(
    sample_url: str,
) -> None:
    midterm = avenant_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        await choose_change(pilot, screen, FIRST, "objective-text")
        area = screen.query_one("#av-text", TextArea)
        original = screen.walk.objectives[0].text
        assert area.text == original
        await add_change(pilot)
        assert "le texte n'a pas changé" in shown(app).lower()
        area.text = "Améliorer les résultats aux évaluations nationales"
        await add_change(pilot)
        # two target revisions of the same indicator: the second starts from the first
        await choose_change(pilot, screen, FIRST, "indicator-target")
        screen.query_one("#av-value", Input).value = "95"
        await add_change(pilot)
        assert screen.query_one("#av-value", Input).value == "95"
        assert "modifiée par cet avenant (avant : 100 % (2019-2020))" in flat(app)
        screen.query_one("#av-value", Input).value = "90"
        await add_change(pilot)
        assert [c.before.get("value") for c in screen.changes[1:]] == [100, 95]

        table = screen.query_one("#av-changes")
        table.focus()
        await pilot.press("down", "delete")  # the 95
        await settle(pilot)
        assert [c.kind for c in screen.changes] == ["objective-text", "indicator-target"]
        assert screen.changes[1].before == {"value": 100, "year": "2019-2020"}
        assert screen.changes[1].after == {"value": 90, "year": "2019-2020"}
        await pilot.press("up", "delete", "delete")
        await settle(pilot)
        assert screen.changes == []
        assert "Aucune modification pour l'instant" in shown(app)
        assert screen.current[FIRST].text == original


@pytest.mark.parametrize(
    "kind, closed, expected, how",
    [
        (
            ReviewKind.ANNUAL,
            False,
            "« Examen annuel 2018-2019 » est un examen annuel",
            "commencez l'évaluation à mi-parcours",
        ),
        (
            ReviewKind.MIDTERM,
            True,
            "« Évaluation à mi-parcours 2018-2019 » est clôturée",
            "rouvrez-la dans la liste des revues",
        ),
    ],
)
async def test_refused_outside_an_open_midterm_review(
    sample_url: str, kind: ReviewKind, closed: bool, expected: str, how: str
) -> None:
    other = avenant_review(sample_url, kind, closed=closed)
    results: list[bool | None] = []
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_avenant(pilot, other.id, results)
        text = flat(app)
        assert expected in text and how in text
        assert "Numéro" not in text and "Enregistrer" not in text
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    assert results == [False]
    assert avenants(sample_url) == []


async def test_escape_with_typed_work_asks_first(sample_url: str) -> None:
    midterm = avenant_review(sample_url)
    results: list[bool | None] = []
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id, results)
        await pilot.press(*"Motif")
        await pilot.press("escape")
        await settle(pilot)
        assert "Abandonner cet avenant ?" in shown(app)
        await pilot.click("#no")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#av-reason", TextArea).text == "Motif"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    assert results == [False]


async def test_an_avenant_links_an_objective_to_the_projet_academique(sample_url: str) -> None:
    """Rattacher: the projet's parts and objectives to choose from, before → after as the
    links, recorded; then the link can be removed by the next avenant."""
    midterm = avenant_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        screen.query_one("#av-reason", TextArea).text = "Rattachement au projet académique"
        await choose_change(pilot, screen, FIRST, "link-add")
        link = screen.query_one("#av-link", Select)
        assert link.value == "ecole-initiatives-innovation"  # the first item, the chapter
        link.value = "faciliter-pilotage"
        await add_change(pilot)
        assert [(c.kind, c.target_id, c.before, c.after) for c in screen.changes] == [
            ("link-add", "faciliter-pilotage", {"links": []}, {"link": "faciliter-pilotage"})
        ]
        text = flat(app)
        assert "rattachement ajouté" in text
        assert "aucun rattachement" in text
        assert "Section FACILITER LE PILOT" in text  # clipped to its column
        # the same item is not offered twice
        await choose_change(pilot, screen, FIRST, "link-add")
        assert "faciliter-pilotage" not in [v for _, v in link._options]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    [recorded] = avenants(sample_url)
    assert [(c.kind, c.target_id) for c in recorded.changes] == [("link-add", "faciliter-pilotage")]
    store = Store.open(sample_url)
    try:
        revised = {o.id: o for o in store.revised_contract(EPI).revised.objectives}
    finally:
        store.close()
    assert revised[FIRST].academic_links == ["faciliter-pilotage"]

    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        screen.query_one("#av-reason", TextArea).text = "Rattachement retiré"
        await choose_change(pilot, screen, FIRST, "link-drop")
        assert screen.query_one("#av-link", Select).value == "faciliter-pilotage"
        await add_change(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    store = Store.open(sample_url)
    try:
        revised = {o.id: o for o in store.revised_contract(EPI).revised.objectives}
    finally:
        store.close()
    assert revised[FIRST].academic_links == []


async def test_no_link_to_choose_without_a_projet_in_the_store(sample_url: str) -> None:
    store = Store.open(sample_url)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE contracts SET academic_project_slug = NULL")
    finally:
        store.close()
    midterm = avenant_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_avenant(pilot, midterm.id)
        await choose_change(pilot, screen, FIRST, "link-add")
        assert "ne désigne aucun projet académique enregistré" in flat(app)
        assert not screen.query_one("#av-fields-link").display
        await add_change(pilot)
        assert screen.changes == []

"""Reviews in the store: records, values, evidence, closing, avenants, changes since last."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from revue.domain.avenant import Avenant, AvenantChange
from revue.domain.errors import ConflictError, RevueError
from revue.domain.progress import expected_value, is_off_track
from revue.domain.review import EvidenceSource, ReviewKind, Status
from revue.domain.schoolyear import school_year_of
from revue.store.reviews import ReviewClosedError
from revue.store.store import Store

EPI = "epinay-2018-2020"


@pytest.fixture
def samples(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url)
    yield store
    store.close()


def test_school_year_boundaries() -> None:
    assert school_year_of(dt.date(2019, 8, 31)) == "2018-2019"
    assert school_year_of(dt.date(2019, 9, 1)) == "2019-2020"


def test_review_year_must_be_in_the_contract(samples: Store) -> None:
    with pytest.raises(RevueError, match="période du contrat"):
        samples.create_review(EPI, "2021-2022", ReviewKind.ANNUAL)
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    assert (review.examined, review.total) == (0, 31)
    with pytest.raises(ConflictError):
        samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)


def test_records_values_evidence_are_saved(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    walk = samples.load_walk(review.id)
    first = walk.objectives[0]
    indicator = first.indicators[0]
    samples.save_record(review.id, first.id, status=Status.IN_PROGRESS, analysis="Analyse")
    samples.save_value(review.id, indicator.id, 87.5)
    samples.add_evidence(
        review.id, first.id, dt.date(2019, 3, 1), "Résultats de mars", EvidenceSource.NATIONAL
    )
    walk = samples.load_walk(review.id)
    record = walk.records[first.id]
    assert record.status is Status.IN_PROGRESS and record.analysis == "Analyse"
    assert walk.values[indicator.id] == 87.5
    assert [e.text for e in record.evidence] == ["Résultats de mars"]
    assert walk.examined == 1
    assert samples.get_review(review.id).examined == 1


def test_closed_review_refuses_writes_until_reopened(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    objective = samples.load_walk(review.id).objectives[0]
    samples.close_review(review.id)
    with pytest.raises(ReviewClosedError):
        samples.save_record(review.id, objective.id, analysis="trop tard")
    with pytest.raises(RevueError):
        samples.reopen_review(review.id, "  ")
    samples.reopen_review(review.id, "Oubli d'une preuve")
    samples.save_record(review.id, objective.id, analysis="corrigé")
    assert [a for _, a, _ in samples.review_events(review.id)] == ["closed", "reopened"]


def test_copy_forward_and_changes_since_last(samples: Store) -> None:
    first = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    objective = samples.load_walk(first.id).objectives[0]
    indicator = objective.indicators[0]
    samples.save_record(first.id, objective.id, status=Status.IN_PROGRESS, analysis="An 1")
    samples.save_value(first.id, indicator.id, 80)
    second = samples.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
    walk = samples.load_walk(second.id)
    assert walk.history[indicator.id] == {"2018-2019": 80}
    assert walk.previous_title == "examen annuel 2018-2019"
    copied = samples.copy_forward(second.id, objective.id)
    assert copied is not None
    assert samples.load_walk(second.id).records[objective.id].analysis == "An 1"
    samples.save_record(second.id, objective.id, status=Status.REACHED)
    samples.save_value(second.id, indicator.id, 95)
    samples.add_evidence(
        second.id, objective.id, dt.date(2020, 1, 10), "Visite", EvidenceSource.VISIT
    )
    lines = samples.changes_since_last(second.id)
    whats = [(line.what, line.before, line.after) for line in lines]
    assert ("statut", "en cours", "atteint") in whats
    assert any(w.startswith("valeur") and b == "80 %" and a == "95 %" for w, b, a in whats)
    assert any(w == "preuve ajoutée" for w, _, _ in whats)


def test_avenant_revises_target_and_keeps_the_initial(samples: Store) -> None:
    annual = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    objective = samples.load_walk(annual.id).objectives[0]
    indicator = objective.indicators[0]
    avenant = Avenant(
        number=1,
        date=dt.date(2019, 6, 20),
        reason="Cible irréaliste",
        changes=[
            AvenantChange(
                "indicator-target",
                objective.id,
                indicator.id,
                before={"value": 100, "year": "2019-2020"},
                after={"value": 95, "year": "2019-2020"},
            ),
            AvenantChange(
                "objective-text",
                objective.id,
                before={"text": objective.text},
                after={"text": "Objectif révisé"},
            ),
            AvenantChange("action-add", objective.id, after={"what": "Nouvelle action"}),
        ],
    )
    with pytest.raises(RevueError, match="mi-parcours"):
        samples.record_avenant(annual.id, avenant)
    midterm = samples.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
    samples.record_avenant(midterm.id, avenant)
    walk = samples.load_walk(midterm.id)
    revised = walk.objectives[0]
    assert revised.text == "Objectif révisé"
    assert [a.what for a in revised.actions] == ["Nouvelle action"]
    target = walk.targets[indicator.id]
    assert (target.initial_value, target.value, target.avenant) == (100, 95, 1)
    assert walk.initial.objectives[0].text == objective.text
    with pytest.raises(ConflictError):
        samples.record_avenant(midterm.id, avenant)
    bad = Avenant(
        number=2,
        date=dt.date(2019, 6, 20),
        reason="x",
        changes=[AvenantChange("indicator-target", objective.id, "nope", after={"value": 1})],
    )
    with pytest.raises(RevueError, match="inconnu"):
        samples.record_avenant(midterm.id, bad)
    assert len(samples.list_avenants(EPI)) == 1


def test_contract_with_reviews_cannot_be_replaced(samples: Store) -> None:
    samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    contract = samples.get_contract(EPI)
    with pytest.raises(ConflictError, match="avenant"):
        samples.save_contract(contract, replace=True)


def test_trajectory() -> None:
    from revue.domain.avenant import RevisedTarget
    from revue.domain.contract import Direction, Indicator

    up = Indicator(id="i", label="x", baseline_value=60, baseline_year="2017-2018")
    target = RevisedTarget(80, "2019-2020", 80, "2019-2020")
    assert expected_value(up, target, "2018-2019") == 70
    assert expected_value(up, target, "2025-2026") == 80
    assert is_off_track(up, target, "2018-2019", 67)  # 3 behind > 10 % of 20
    assert not is_off_track(up, target, "2018-2019", 69)
    down = Indicator(
        id="j", label="y", baseline_value=20, baseline_year="2017-2018", direction=Direction.LOWER
    )
    low = RevisedTarget(0, "2019-2020", 0, "2019-2020")
    assert is_off_track(down, low, "2018-2019", 14)
    assert not is_off_track(down, low, "2018-2019", 9)


def test_school_years_of_a_contract(samples: Store) -> None:
    from revue.domain.schoolyear import school_years_of_contract

    assert school_years_of_contract(samples.get_contract(EPI)) == ["2018-2019", "2019-2020"]
    assert school_years_of_contract(samples.get_contract("thionville1-2016-2020")) == [
        "2016-2017",
        "2017-2018",
        "2018-2019",
        "2019-2020",
    ]

"""Every change to review data and accompaniments keeps a version (who, when, what); any version
can be restored; closing a review freezes it with a SHA-256."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from revue.domain.errors import NotFoundError
from revue.domain.history import OBJECTIVE_FIELDS, describe, sha256_of
from revue.domain.log import Content
from revue.domain.review import EvidenceSource, ReviewKind, Status
from revue.store.models import ObjectiveReviewRow, ReviewSnapshotRow
from revue.store.store import Store

EPI = "epinay-2018-2020"


@pytest.fixture
def samples(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url, author="Anne Inspectrice")
    yield store
    store.close()


def test_each_change_is_a_version_with_who_and_when(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    first = samples.load_walk(review.id).objectives[0]
    samples.save_record(review.id, first.id, analysis="Les résultats")
    samples.save_record(review.id, first.id, analysis="Les résultats progressent")  # typing on
    samples.save_record(review.id, first.id, analysis="Tout effacé")  # text lost: a new version
    samples.save_record(review.id, first.id, status=Status.IN_PROGRESS)
    samples.save_value(review.id, first.indicators[0].id, 42.0)
    samples.add_evidence(review.id, first.id, dt.date(2019, 3, 1), "Visite", EvidenceSource.VISIT)
    history = samples.objective_history(review.id, first.id)
    assert [h.content["analysis"] for h in history] == [
        "Les résultats progressent",
        "Tout effacé",
        "Tout effacé",
        "Tout effacé",
        "Tout effacé",
    ]
    assert {h.author for h in history} == {"Anne Inspectrice"}
    assert [h.at for h in history] == sorted(h.at for h in history)
    assert describe(history, OBJECTIVE_FIELDS)[1:] == [
        "analyse",
        "statut",
        "valeurs",
        "éléments de preuve",
    ]
    assert history[-1].content["values"][first.indicators[0].id] == 42.0


def test_restoring_a_version_brings_everything_back_and_is_itself_a_version(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    first = samples.load_walk(review.id).objectives[0]
    samples.save_record(review.id, first.id, status=Status.REACHED, analysis="Texte précieux")
    samples.save_value(review.id, first.indicators[0].id, 80.0)
    ev = samples.add_evidence(
        review.id, first.id, dt.date(2019, 3, 1), "Visite du 1er mars", EvidenceSource.VISIT
    )
    good = samples.objective_history(review.id, first.id)[-1]
    # An unfortunate evening.
    samples.save_record(review.id, first.id, status=None, analysis="")
    samples.save_value(review.id, first.indicators[0].id, None)
    samples.delete_evidence(review.id, ev.id)
    samples.restore_objective(review.id, first.id, good.id)
    walk = samples.load_walk(review.id)
    record = walk.records[first.id]
    assert (record.status, record.analysis) == (Status.REACHED, "Texte précieux")
    assert walk.values[first.indicators[0].id] == 80.0
    assert [(e.id, e.text) for e in record.evidence] == [(ev.id, "Visite du 1er mars")]
    last = samples.objective_history(review.id, first.id)[-1]
    assert last.note.startswith("restauration de la version du ")
    with pytest.raises(NotFoundError):
        samples.restore_objective(review.id, walk.objectives[1].id, good.id)


def test_data_written_before_histories_keeps_its_state_as_first_version(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    first = samples.load_walk(review.id).objectives[0]
    samples.save_record(review.id, first.id, analysis="Ancien texte")
    with samples.session() as session:  # as if written by a revue without histories
        from revue.store.models import HistoryRow

        session.query(HistoryRow).delete()
        session.commit()
    samples.save_record(review.id, first.id, analysis="Nouveau")
    history = samples.objective_history(review.id, first.id)
    assert [(h.note, h.content["analysis"]) for h in history] == [
        ("avant l'historique", "Ancien texte"),
        ("", "Nouveau"),
    ]


def test_accompaniment_history_and_restore_travel(tmp_path: Path) -> None:
    a = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", author="Claire Martin")
    b = Store.open(f"sqlite:///{tmp_path / 'b.sqlite3'}", author="Paul Durand")
    try:
        first = a.add_accompaniment(
            Content(
                date=dt.date(2019, 1, 10),
                author="Claire Martin",
                modality="collective",
                initiative="team",
                schools=("0570001A",),
                theme="Lecture",
                notes="Notes utiles",
            )
        )
        a.update_accompaniment(first.id, dataclasses.replace(first.content, notes=""))
        history = a.accompaniment_history(first.id)
        assert [h.content["notes"] for h in history] == ["Notes utiles", ""]
        a.restore_accompaniment(first.id, history[0].id)
        current, _ = a.get_accompaniment(first.id)
        assert current.content.notes == "Notes utiles"
        assert a.accompaniment_history(first.id)[-1].note.startswith("restauration")
        b.merge_versions(a.export_versions())
        received = b.accompaniment_history(first.id)
        assert [(h.author, h.note, h.content["notes"]) for h in received] == [
            ("Claire Martin", "reçu par échange", "Notes utiles")
        ]
    finally:
        a.close()
        b.close()


def test_closing_freezes_the_review_with_its_sha256(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    first = samples.load_walk(review.id).objectives[0]
    samples.save_record(review.id, first.id, status=Status.REACHED, analysis="Figé")
    assert samples.review_snapshot(review.id) is None
    samples.close_review(review.id)
    snapshot = samples.review_snapshot(review.id)
    assert snapshot is not None
    assert sha256_of(snapshot.content) == snapshot.sha256
    data = json.loads(snapshot.content)
    assert (data["contract"], data["school_year"], data["kind"]) == (EPI, "2018-2019", "annuel")
    assert len(data["objectives"]) == 31
    assert data["objectives"][0]["analysis"] == "Figé"
    # Reopened and closed again: a new snapshot is the one cited.
    samples.reopen_review(review.id, "Oubli")
    assert samples.review_snapshot(review.id) is None
    samples.save_record(review.id, first.id, analysis="Figé puis corrigé")
    samples.close_review(review.id)
    again = samples.review_snapshot(review.id)
    assert again is not None and again.sha256 != snapshot.sha256
    assert samples.snapshot_problems() == []
    with samples.session() as session:  # someone edits the frozen text by hand
        session.execute(update(ReviewSnapshotRow).values(content="{}"))
        session.commit()
    problems = samples.snapshot_problems()
    assert len(problems) == 2 and "empreinte SHA-256" in problems[0]


def test_upgraded_record_without_history(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    first = samples.load_walk(review.id).objectives[0]
    samples.save_record(review.id, first.id, analysis="x")
    with samples.session() as session:
        session.execute(update(ObjectiveReviewRow).values(adjustments="ajout direct"))
        session.commit()
    samples.save_record(review.id, first.id, status=Status.IN_PROGRESS)
    history = samples.objective_history(review.id, first.id)
    assert history[-1].content["adjustments"] == "ajout direct"

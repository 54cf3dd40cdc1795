"""The projet académique in the bilan: each objective's links, the coverage table, the PA's id
and the linked items' ids and codes in the TOML — and a link added by avenant shows in the
bilan of the review that recorded it, and stays in it once that review is closed."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator

import pytest

from revue.bilan.data import render_toml
from revue.bilan.markdown import render_markdown
from revue.bilan.odt import build_odt
from revue.domain.avenant import Avenant, AvenantChange, ChangeKind
from revue.domain.review import ReviewKind
from revue.services.bilan import build_bilan
from revue.store.store import Store
from tests.helpers import EPI

THV = "thionville1-2016-2020"


@pytest.fixture
def samples(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url)
    yield store
    store.close()


def test_links_and_coverage_in_every_format(samples: Store) -> None:
    review = samples.create_review(THV, "2018-2019", ReviewKind.ANNUAL)
    samples.close_review(review.id)
    bilan = build_bilan(samples, THV)
    assert bilan.contract.academic_project_id == "nancy-metz-extrait"
    assert all([link.key for link in o.academic_links] == ["2"] for o in bilan.objectives)

    markdown = render_markdown(bilan)
    assert markdown.count("**Rattaché au projet académique :** Axe 2 Coopérer") == 4
    assert "## 3. Projet académique" in markdown
    assert (
        "1\u00a0partie du projet académique sur 1 est servie par le projet de circonscription."
        in (markdown)
    )
    assert (
        "| 2 Coopérer et s'organiser dans l'intérêt des élèves | n° 1 (non examiné) ; n° 2 (non "
        "examiné) ; n° 3 (non examiné) ; n° 4 (non examiné) |"
    ) in markdown.replace("\u00a0", " ").replace("\u202f", " ")

    data = tomllib.loads(render_toml(bilan))
    assert data["contract"]["academic_project"] == {
        "id": "nancy-metz-extrait",
        "title": "Projet académique de l'académie de Nancy-Metz (extrait : axe 2)",
    }
    for objective in data["objectives"]:
        assert objective["academic_links"] == [
            {"id": "2", "code": "2", "title": "Coopérer et s'organiser dans l'intérêt des élèves"}
        ]
    (coverage,) = data["academic_coverage"]
    assert coverage["part"] is True
    assert coverage["objectives"] == [o["id"] for o in data["objectives"]]

    content = build_odt(bilan).get_part("content.xml").serialize().decode()  # type: ignore[union-attr]
    content = content.replace("\u00a0", " ")  # French spacing in the document
    assert "Rattaché au projet académique : Axe 2 Coopérer" in content
    assert "Projet académique" in content and "Rattachements" in content


def test_a_contract_without_links_shows_no_coverage(samples: Store) -> None:
    review = samples.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    bilan = build_bilan(samples, EPI)
    assert bilan.review.id == review.id
    assert bilan.contract.academic_project_id == "creteil-extrait"
    assert bilan.coverage == []
    assert "Projet académique\n" not in render_markdown(bilan)
    assert "academic_coverage" not in render_toml(bilan)


def test_a_link_added_by_avenant_is_in_the_bilan_and_frozen_with_it(samples: Store) -> None:
    midterm = samples.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
    first = samples.get_contract(EPI).objectives_in_order()[0].id
    samples.record_avenant(
        midterm.id,
        Avenant(
            number=1,
            date=dt.date(2019, 3, 1),
            reason="Rattachement au projet académique",
            changes=[
                AvenantChange(
                    ChangeKind.LINK_ADD,
                    first,
                    "faciliter-pilotage",
                    after={"link": "faciliter-pilotage"},
                )
            ],
        ),
    )
    samples.close_review(midterm.id)
    bilan = build_bilan(samples, EPI, "2018-2019/mi-parcours")
    linked = next(o for o in bilan.objectives if o.id == first)
    assert [link.key for link in linked.academic_links] == ["faciliter-pilotage"]
    change = bilan.avenants[0].changes[0]
    assert change.kind == "link-add"
    assert change.after_text == "Section FACILITER LE PILOTAGE DES ÉCOLES ET DES ÉTABLISSEMENTS"
    markdown = render_markdown(bilan)
    assert "**Rattaché au projet académique :** Section FACILITER LE PILOTAGE" in markdown
    assert "1\u00a0objectif du projet académique sur 7 est servi par le contrat." in markdown
    data = tomllib.loads(render_toml(bilan))
    served = [c for c in data["academic_coverage"] if c["objectives"]]
    assert served == [
        {
            "id": "faciliter-pilotage",
            "title": "FACILITER LE PILOTAGE DES ÉCOLES ET DES ÉTABLISSEMENTS",
            "part": False,
            "objectives": [first],
        }
    ]
    assert len(data["academic_coverage"]) == 7
    assert data["avenants"][0]["changes"][0] == {
        "kind": "link-add",
        "objective": first,
        "target": "faciliter-pilotage",
        "after": {"link": "faciliter-pilotage"},
    }
    # Frozen: a later avenant removing the link leaves this closed review's bilan as it was.
    before = render_toml(bilan)
    annual = samples.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
    assert annual.id
    assert render_toml(build_bilan(samples, EPI, "2018-2019/mi-parcours")) == before

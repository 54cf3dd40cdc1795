"""A closed review's bilan is the one frozen at closing: nothing done later changes it; an
unmeasured year is never a 0; older snapshots (version 1) are rebuilt as of the closing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tomllib
import zipfile
from pathlib import Path

import pytest

from revue.bilan.data import render_toml
from revue.bilan.markdown import render_markdown
from revue.bilan.odt import save_odt
from revue.domain.avenant import Avenant, AvenantChange
from revue.domain.bilan import frozen_content, thaw
from revue.domain.contract import stable_uuid
from revue.domain.errors import RevueError
from revue.domain.log import Content
from revue.domain.review import ReviewKind, Status
from revue.services.bilan import build_bilan
from revue.services.demo import demo_files
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import EPI, FIXTURES, TRAJ, trajectory_reviews

THI = "thionville1-2016-2020"
FIRST = "s1-p1-c1-o1"
TENTATIVE = "s1-p1-c1-o1-tentative"
DEMANDES = "axe2-equipes-o1-demandes"  # collective at the team's initiative, from the log


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = Store.open(f"sqlite:///{tmp_path / 'revue.sqlite3'}")
    done, errors = import_files(opened, list(demo_files()))  # the samples, as the demo has them
    assert not errors and {d.id for d in done} >= {EPI, THI}
    yield opened
    opened.close()


def _entry(store: Store, contract: str, objective: str, day: dt.date) -> None:
    store.add_accompaniment(
        Content(
            date=day,
            author="Claire Martin",
            modality="collective",
            initiative="team",
            theme="Évaluations",
            objectives=(str(stable_uuid(contract, "objective", objective)),),
        )
    )


def _exports(store: Store, tmp_path: Path, name: str, review: str) -> tuple[str, str, str]:
    bilan = build_bilan(store, EPI, review)
    target = tmp_path / f"{name}.odt"
    save_odt(bilan, target)
    with zipfile.ZipFile(target) as odt:
        content = odt.read("content.xml").decode("utf-8")
    return render_toml(bilan), render_markdown(bilan), content


def test_a_closed_bilan_does_not_change_after_an_avenant_a_log_entry_and_a_later_review(
    store: Store, tmp_path: Path
) -> None:
    annual = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.save_record(
        annual.id, FIRST, status=Status.IN_PROGRESS, analysis="Un départ.\nPuis mieux."
    )
    store.save_value(annual.id, TENTATIVE, 91)
    _entry(store, EPI, FIRST, dt.date(2019, 3, 1))
    store.save_synthesis(annual.id, strengths="Forts.", perspectives="Loin.")
    store.close_review(annual.id)
    before = _exports(store, tmp_path, "avant", "2018-2019/annuel")

    # Later: a mid-term review with an avenant on that objective, and a log entry dated in
    # the closed year, then the annual review's records are read again.
    midterm = store.create_review(EPI, "2019-2020", ReviewKind.MIDTERM)
    store.record_avenant(
        midterm.id,
        Avenant(
            1,
            dt.date(2020, 1, 28),
            "Révision",
            [
                AvenantChange(
                    "objective-text",
                    FIRST,
                    before={"text": store.load_walk(midterm.id).objectives[0].text},
                    after={"text": "Un objectif réécrit en 2020"},
                ),
                AvenantChange(
                    "indicator-target",
                    FIRST,
                    TENTATIVE,
                    before={"value": 100, "year": "2019-2020"},
                    after={"value": 95, "year": "2019-2020"},
                ),
            ],
        ),
    )
    store.save_value(midterm.id, TENTATIVE, 97)
    _entry(store, EPI, FIRST, dt.date(2019, 4, 2))
    after = _exports(store, tmp_path, "apres", "2018-2019/annuel")

    assert after[0] == before[0]  # TOML, byte for byte
    assert after[1] == before[1]  # Markdown, byte for byte
    assert after[2] == before[2]  # the ODT's content.xml
    assert "réécrit" not in after[1] and "Avenant n° 1" not in after[1]
    data = tomllib.loads(after[0])
    first = data["objectives"][0]
    assert first["accompaniments"] == {"collective-team": 1}  # the entry logged later: not there
    assert data["review"]["source"] == "frozen" and data["review"]["provisional"] is False
    assert "Un départ.\n\nPuis mieux." in after[1]  # paragraphs kept

    # The mid-term's own bilan (open) is the live one, and says it is provisional.
    live = build_bilan(store, EPI, "2019-2020/mi-parcours", written_on=dt.date(2020, 2, 1))
    assert live.provisional and live.source == "live"
    assert "Bilan provisoire du 01/02/2020" in render_markdown(live)
    assert live.objectives[0].text == "Un objectif réécrit en 2020"


def test_reopening_and_closing_again_takes_a_new_snapshot(store: Store) -> None:
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close_review(review.id)
    first = store.review_snapshot(review.id)
    store.reopen_review(review.id, "une valeur oubliée")
    store.save_value(review.id, TENTATIVE, 90)
    store.close_review(review.id)
    second = store.review_snapshot(review.id)
    assert first is not None and second is not None and first.sha256 != second.sha256
    bilan = build_bilan(store, EPI)
    assert bilan.snapshot == second
    assert bilan.objectives[0].indicators[0].values == {"2018-2019": 90.0}
    assert json.loads(second.content)["version"] == 2


def test_revue_check_verifies_the_frozen_bilan(store: Store) -> None:
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close_review(review.id)
    assert store.snapshot_problems() == []
    path = Path(str(store.engine.url.database))
    with sqlite3.connect(path) as db:
        (content,) = db.execute("SELECT content FROM review_snapshots").fetchone()
        data = json.loads(content)
        data["bilan"]["review"] = "abîmé"
        from revue.domain.history import canonical_json, sha256_of

        text = canonical_json(data)
        db.execute("UPDATE review_snapshots SET content = ?, sha256 = ?", (text, sha256_of(text)))
    problems = store.snapshot_problems()
    assert len(problems) == 1 and "le bilan figé" in problems[0] and "ne peut pas" in problems[0]
    with pytest.raises(RevueError, match="illisible"):
        build_bilan(store, EPI)


def test_a_frozen_content_from_a_newer_revue_is_refused_and_unknown_fields_wait(
    store: Store,
) -> None:
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    content = frozen_content(build_bilan(store, EPI))
    assert thaw(json.loads(json.dumps(content))).objectives[0].id == FIRST
    with pytest.raises(RevueError, match="plus récente"):
        thaw({**content, "version": 99})
    del review


def test_an_unmeasured_year_is_not_a_zero(store: Store) -> None:
    """Thionville: a count from the log for 2016-2017 and 2017-2018, where nothing was logged,
    is « non mesuré »; in 2018-2019 (entries logged) a count with no match is a true 0."""
    review = store.create_review(THI, "2018-2019", ReviewKind.ANNUAL)
    for day in (dt.date(2018, 10, 1), dt.date(2019, 2, 4)):
        _entry(store, THI, "axe2-equipes-o1", day)
    bilan = build_bilan(store, THI, written_on=dt.date(2019, 6, 1))
    line = next(i for o in bilan.objectives for i in o.indicators if i.id == DEMANDES)
    ien = next(i for o in bilan.objectives for i in o.indicators if i.id == "axe2-equipes-o1-ien")
    assert line.values == {"2018-2019": 2.0}
    assert ien.values == {"2018-2019": 0.0}
    assert bilan.covered_years == ["2018-2019"]
    assert bilan.years == ["2016-2017", "2017-2018", "2018-2019"]
    data = tomllib.loads(render_toml(bilan))
    indicator = next(
        i for o in data["objectives"] for i in o.get("indicators", []) if i["id"] == DEMANDES
    )
    assert indicator["values"] == {"2018-2019": 2.0}  # 2016-2017, 2017-2018: absent
    assert data["log_covers"] == ["2018-2019"]
    markdown = render_markdown(bilan)
    assert "0\u00a0demandes" not in markdown.split("## 1.")[0]
    store.close_review(review.id)
    _entry(store, THI, "axe2-equipes-o1", dt.date(2019, 3, 4))  # logged after closing
    closed = build_bilan(store, THI)
    again = next(i for o in closed.objectives for i in o.indicators if i.id == DEMANDES)
    assert again.values == {"2018-2019": 2.0}  # still 2: as frozen


def test_the_mid_term_section_lists_off_track_objectives_and_every_change(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'trajectoires.sqlite3'}"
    trajectory_reviews(url, tmp_path)  # 2019-2020: "Taux de tentative" 82 % for 90 % expected
    store = Store.open(url)
    try:
        midterm = store.list_reviews(TRAJ)[-1]
        assert midterm.kind is ReviewKind.MIDTERM
        store.close_review(midterm.id)
        bilan = build_bilan(store, TRAJ)
    finally:
        store.close()
    (line,) = bilan.midterms
    assert [(o.id, o.indicators) for o in line.off_track] == [("o1", ["Taux de tentative"])]
    markdown = render_markdown(bilan)
    assert "Objectifs en retard sur leur trajectoire ou non atteints" in markdown
    assert "0\u00a0% (2020-2021) → 3\u00a0% (2020-2021)" in markdown
    assert "(UTC" in markdown  # the snapshot time says its zone
    assert markdown.startswith("# Évaluation à mi-parcours 2019-2020\n")
    data = tomllib.loads(render_toml(bilan))
    (change,) = data["avenants"][0]["changes"]
    assert change == {
        "kind": "indicator-target",
        "objective": "o1",
        "target": "non-reponse",
        "before": {"value": 0, "year": "2020-2021"},
        "after": {"value": 3, "year": "2020-2021"},
    }
    assert data["midterms"][0]["off_track"] == ["o1"]
    assert data["format_version"] == 2


@pytest.mark.parametrize("fixture", ["store-0006.sqlite3", "store-0007.sqlite3"])
def test_a_version_1_snapshot_is_rebuilt_as_of_its_closing(fixture: str, tmp_path: Path) -> None:
    """Stores from before snapshot version 2: the frozen records are used, later avenants are
    not applied, and the bilan says it was rebuilt."""
    path = tmp_path / "revue.sqlite3"
    shutil.copyfile(FIXTURES / fixture, path)
    store = Store.open(f"sqlite:///{path}")
    try:
        (review,) = store.list_reviews(EPI)
        store.close_review(review.id)
        snapshot = store.review_snapshot(review.id)
        assert snapshot is not None
    finally:
        store.close()
    # Make it a version-1 snapshot, as an older revue wrote it, then change the live records.
    with sqlite3.connect(path) as db:
        data = json.loads(snapshot.content)
        data.pop("bilan")
        data["version"] = 1
        from revue.domain.history import canonical_json, sha256_of

        text = canonical_json(data)
        db.execute("UPDATE review_snapshots SET content = ?, sha256 = ?", (text, sha256_of(text)))
        db.execute("UPDATE objective_reviews SET analysis = 'écrit après la clôture'")
    store = Store.open(f"sqlite:///{path}")
    try:
        bilan = build_bilan(store, EPI)
        assert bilan.source == "rebuilt"
        assert store.snapshot_problems() == []
        markdown = render_markdown(bilan)
        assert "écrit après la clôture" not in markdown
        assert "bilan reconstitué" in markdown
        frozen = {o["objective"]: o for o in data["objectives"]}
        for objective in bilan.objectives:
            assert objective.analysis == frozen[objective.id]["analysis"]
    finally:
        store.close()


def test_a_closed_review_s_text_bilan_is_read_without_the_orm(store: Store, tmp_path: Path) -> None:
    """`revue bilan --format md|toml` of a closed review reads the frozen bilan with sqlite3
    alone (it answers at once) and writes exactly what the store's path writes."""
    import subprocess
    import sys

    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.save_record(review.id, FIRST, status=Status.REACHED, analysis="Atteint.\nConfirmé.")
    store.close_review(review.id)
    expected = build_bilan(store, EPI)
    url = str(store.engine.url)
    for fmt, render in (("md", render_markdown), ("toml", render_toml)):
        code = (
            "import sys; from revue.cli.main import main; code = main(sys.argv[1:]); "
            "assert 'sqlalchemy' not in sys.modules, 'SQLAlchemy was loaded'; sys.exit(code)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, "--db", url, "bilan", EPI, "--format", fmt],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == render(expected)
    # An open review still goes through the store.
    store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
    done = subprocess.run(
        [sys.executable, "-m", "revue", "--db", url, "bilan", EPI, "--format", "md"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "Bilan provisoire du" in done.stdout

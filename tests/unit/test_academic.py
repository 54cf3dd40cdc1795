"""The projet académique: format version 2, the Créteil extract, the store, integrity of links,
links changed by avenant, the alignment."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.academic import (
    AcademicObjective,
    AcademicProject,
    ListItem,
    alignment,
    link_label,
)
from revue.domain.avenant import Avenant, AvenantChange, ChangeKind, apply_avenants
from revue.domain.contract import Contract
from revue.domain.errors import ConflictError, InputError, RevueError
from revue.domain.review import ReviewKind
from revue.formats.academic_toml import (
    dump_academic_project,
    export_academic_project,
    load_academic_project,
)
from revue.formats.contract_toml import load_document
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import table_counts

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"
CRETEIL = SAMPLES / "projet-academique-creteil-extrait.toml"
NANCY = SAMPLES / "projet-academique-nancy-metz.toml"
EPINAY = SAMPLES / "contrat-epinay-2018-2020.toml"
#: The source document (a copy of shared/seeds/004_…, kept with the tests so a clean clone has it).
SEED = Path(__file__).parent.parent / "fixtures" / "seeds" / "004_e4391e99de393476.txt"
EPI = "epinay-2018-2020"

#: A projet with everything version 2 holds: préambule, level names, codes, orientations,
#: an unheaded list, nested leviers, a criteria lead-in, examples and resources.
FULL = """\
format = "revue-projet-academique"
format_version = 2
id = "pa-essai"
title = "Projet stratégique d'essai"
academie = "Essai"
period = "2020-2024"
preamble = \"\"\"
Le projet s'adresse à tous.

Il tient en quatre axes.\"\"\"
preamble_signature = "Le recteur"

# a comment kept by export
[[axes]]
code = "1"
level = "Axe"
title = "Réussir"
text = "Orientations de l'axe 1"

[[axes.objectives]]
code = "1.1"
title = "Faire progresser"
text = "Introduction de l'objectif"
items = ["Un constat", "Un autre constat"]
criteria_lead = "Les critères suivants mesurent la réussite :"
criteria = ["Taux de réussite", "Écart entre écoles"]

[[axes.objectives.levers]]
text = "Former les équipes"
items = ["En circonscription", { text = "En réseau", items = ["REP", "REP+"] }]

[[axes.objectives.levers]]
text = "Accompagner"

[[axes.objectives]]
code = "1.2"
title = "Inclure"
levers = ["Un levier"]

[[axes]]
id = "ambition-sans-code"
level = "Ambition"
title = "Une ambition sans code"

[[axes.sections]]
id = "section-a"
level = "Section"
title = "Section A"
resources = ["Un site"]

[[axes.sections.objectives]]
id = "objectif-sans-code"
title = "Objectif sans code"
examples = ["Une action exemple"]
"""


def write(tmp_path: Path, text: str, name: str = "pa.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def samples(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url)
    yield store
    store.close()


# --- the format --------------------------------------------------------------------------------


def test_version_2_holds_a_whole_document(tmp_path: Path) -> None:
    project, _ = load_academic_project(write(tmp_path, FULL))
    assert project.preamble.startswith("Le projet s'adresse à tous.\n\nIl tient")
    assert project.preamble_signature == "Le recteur"
    axis = project.axes[0]
    assert (axis.level_name, axis.code, axis.text) == ("Axe", "1", "Orientations de l'axe 1")
    first = axis.objectives[0]
    assert first.text == "Introduction de l'objectif"
    assert [i.text for i in first.items] == ["Un constat", "Un autre constat"]
    assert first.criteria_lead == "Les critères suivants mesurent la réussite :"
    nested = first.levers[0].items[1]
    assert (nested.text, [i.text for i in nested.items]) == ("En réseau", ["REP", "REP+"])
    assert first.lever_count() == 6  # two leviers, two under the first, two under those
    part = project.axes[1].sections[0]
    assert (part.level_name, part.code, part.resources) == ("Section", "", ["Un site"])
    assert part.objectives[0].key == "objectif-sans-code"
    assert project.counts() == {"axes": 3, "objectives": 3, "levers": 7, "criteria": 2}
    assert project.codes() == {"1", "1.1", "1.2", "ambition-sans-code", "section-a",
                               "objectif-sans-code"}  # fmt: skip


def test_codes_are_shown_only_when_the_document_has_them(tmp_path: Path) -> None:
    project, _ = load_academic_project(write(tmp_path, FULL))
    assert link_label(project, "1.1") == "Objectif 1.1 Faire progresser"
    assert link_label(project, "objectif-sans-code") == "Objectif Objectif sans code"
    creteil, _ = load_academic_project(CRETEIL)
    assert all(not item.code for _, item in creteil.walk())
    assert link_label(creteil, "faciliter-pilotage") == (
        "Section FACILITER LE PILOTAGE DES ÉCOLES ET DES ÉTABLISSEMENTS"
    )


def test_export_gives_back_the_file_with_its_comments(tmp_path: Path) -> None:
    for path in (write(tmp_path, FULL), CRETEIL, NANCY):
        project, _ = load_academic_project(path)
        exported = export_academic_project(project)
        assert exported.encode("utf-8") == path.read_bytes()
        again = write(tmp_path, exported, "again.toml")
        assert export_academic_project(load_academic_project(again)[0]) == exported


def test_canonical_text_round_trips_byte_for_byte(tmp_path: Path) -> None:
    for path in (write(tmp_path, FULL), CRETEIL, NANCY):
        project, _ = load_academic_project(path)
        first = dump_academic_project(project)
        assert first.startswith('format = "revue-projet-academique"\nformat_version = 2\n')
        reread, _ = load_academic_project(write(tmp_path, first, "canon.toml"))
        assert reread == project
        assert dump_academic_project(reread) == first


def test_version_1_files_still_import(tmp_path: Path) -> None:
    project, _ = load_academic_project(NANCY)
    assert project.format_version == 1
    assert [a.code for a in project.axes] == ["2"]
    v1 = FULL.split("preamble")[0].replace("format_version = 2", "format_version = 1")
    v1 += '\n[[axes]]\ncode = "1"\ntitle = "Axe"\n\n[[axes.objectives]]\ncode = "1.1"\n'
    v1 += 'title = "Objectif"\nlevers = ["L"]\ncriteria = ["C"]\n'
    old, _ = load_academic_project(write(tmp_path, v1))
    assert [lever.text for lever in old.axes[0].objectives[0].levers] == ["L"]


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        ('code = "1.2"\n', 35, "axes[1].objectives[2].id", "sans code demande un identifiant"),
        ('code = "1.2"', 36, "axes[1].objectives[2].code", "déjà utilisé"),
        ('id = "section-a"', 52, "axes[2].sections[1].objectives[1].id", "désigne déjà"),
        ("criteria_lead", 25, "axes[1].objectives[1].criteria_leed", "clé inconnue"),
        ('levers = ["Un levier"]', 38, "axes[1].objectives[2].levers[1]", "élément n° 1"),
        ("format_version = 2", 2, "format_version", "plus récent"),
    ],
)
def test_bad_projets_are_refused_with_file_line_and_field(
    tmp_path: Path, change: str, line: int, field: str, words: str
) -> None:
    replacements = {
        'code = "1.2"\n': ('code = "1.2"\n', ""),
        'code = "1.2"': ('code = "1.2"', 'code = "1.1"'),
        'id = "section-a"': ('id = "objectif-sans-code"', 'id = "section-a"'),
        "criteria_lead": ("criteria_lead", "criteria_leed"),
        'levers = ["Un levier"]': ('levers = ["Un levier"]', "levers = [3]"),
        "format_version = 2": ("format_version = 2", "format_version = 3"),
    }
    old, new = replacements[change]
    path = write(tmp_path, FULL.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        load_academic_project(path)
    error = caught.value
    assert words in str(error)
    assert (error.file, error.line, error.field) == (str(path), line, field)


# --- the Créteil extract ------------------------------------------------------------------------


def _seed_lines() -> list[str]:
    """Every line of text of the seed, without its markup."""
    out = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", raw)
        line = line.replace("<sup>er</sup>", "er")
        line = re.sub(r"^[#\s|—→•❖.-]+", "", line).strip()
        if line and line not in ("Des exemples d'actions...", "RESSOURCES"):
            out.append(line)
    return out


def _texts(project: AcademicProject) -> str:
    parts: list[str] = []

    def items(lines: list[ListItem]) -> None:
        for item in lines:
            parts.append(item.text)
            parts.extend(item.resources)
            items(item.items)
            items(item.examples)

    for _, item in project.walk():
        parts.extend([item.title, item.text, *item.resources])
        if isinstance(item, AcademicObjective):
            items(item.levers)
            items(item.examples)
            items(item.items)
    return "\n".join(parts)


def _epinay() -> Contract:
    contract, _ = load_document(EPINAY)
    assert isinstance(contract, Contract)
    return contract


def test_creteil_extract_holds_every_line_of_the_seed() -> None:
    project, _ = load_academic_project(CRETEIL)
    texts = _texts(project)
    lines = _seed_lines()
    assert len(lines) == 69
    missing = [line for line in lines if line not in texts]
    assert missing == []
    assert project.academie == "Créteil"
    assert [(depth, item.level_name) for depth, item in project.walk()][:4] == [
        (0, "Chapitre"),
        (1, "Partie"),
        (2, "Section"),
        (2, "Section"),
    ]
    assert project.counts() == {"axes": 4, "objectives": 7, "levers": 20, "criteria": 0}
    examples = sum(
        len(o.examples) + sum(len(lever.examples) for lever in o.levers)
        for o in project.objectives()
    )
    assert examples == 29


def test_epinay_names_its_projet_and_invents_no_link() -> None:
    contract = _epinay()
    assert contract.academic_project is not None
    assert contract.academic_project.id == "creteil-extrait"
    assert all(o.academic_links == [] for o in contract.objectives)


def test_the_demo_store_holds_the_creteil_projet(samples: Store) -> None:
    project = samples.get_academic_project("creteil-extrait")
    assert project is not None
    assert project == load_academic_project(CRETEIL)[0]
    assert project.source == CRETEIL.read_text(encoding="utf-8")
    assert {p.id: p.objective_count for p in samples.list_academic_projects()} == {
        "creteil-extrait": 7,
        "nancy-metz-extrait": 0,
    }


# --- import, replace, check --------------------------------------------------------------------


def _linked_contract(tmp_path: Path, links: str = '["1.1"]') -> Path:
    text = EPINAY.read_text(encoding="utf-8").replace('id = "creteil-extrait"', 'id = "pa-essai"')
    first = 'id = "s1-p1-c1-o1"\n'
    assert first in text
    return write(tmp_path, text.replace(first, f"{first}academic_links = {links}\n", 1), "c.toml")


def test_import_counts_axes_objectives_leviers_and_criteria(tmp_path: Path, store: Store) -> None:
    done, errors = import_files(store, [write(tmp_path, FULL)])
    assert errors == []
    assert (
        done[0]
        .describe()
        .endswith(
            "(Projet stratégique d'essai) : 3 axes ou parties, 3 objectifs, 7 leviers, "
            "2 critères — importé."
        )
    )


def test_replacing_a_projet_that_loses_a_cited_objective_is_refused(
    tmp_path: Path, store: Store
) -> None:
    done, errors = import_files(store, [write(tmp_path, FULL), _linked_contract(tmp_path)])
    assert errors == [] and len(done) == 2
    before = (table_counts(store), store.get_academic_project("pa-essai"))
    poorer = FULL.replace('code = "1.1"', 'code = "1.9"')
    done, errors = import_files(store, [write(tmp_path, poorer, "pa2.toml")], replace=True)
    assert done == []
    message = str(errors[0])
    assert "ne se remplace pas" in message
    assert "« epinay-2018-2020 », objectif « s1-p1-c1-o1 » → 1.1" in message
    assert (table_counts(store), store.get_academic_project("pa-essai")) == before
    # a version that keeps 1.1 replaces it
    richer = FULL.replace('title = "Inclure"', 'title = "Inclure tous les élèves"')
    done, errors = import_files(store, [write(tmp_path, richer, "pa3.toml")], replace=True)
    assert errors == [] and done[0].replaced
    replaced = store.get_academic_project("pa-essai")
    assert replaced is not None and replaced.find("1.2").title == "Inclure tous les élèves"  # type: ignore[union-attr]


def test_check_verifies_every_link(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(db_url)
    try:
        import_files(store, [write(tmp_path, FULL), _linked_contract(tmp_path, '["1.1", "1"]')])
        assert store.link_problems() == []
    finally:
        store.close()
    assert main(["--db", db_url, "check"]) == 0
    assert "rattachements au projet académique" in capsys.readouterr().out
    # a projet changed behind revue's back (another tool wrote the store)
    store = Store.open(db_url)
    try:
        from sqlalchemy import text

        with store.engine.begin() as conn:
            document = conn.execute(text("SELECT document FROM academic_projects")).scalar_one()
            conn.execute(
                text("UPDATE academic_projects SET document = :d"),
                {"d": document.replace('"1.1"', '"9.9"')},
            )
    finally:
        store.close()
    assert main(["--db", db_url, "check"]) == 1
    out = capsys.readouterr().out
    assert (
        "contrat « epinay-2018-2020 », objectif « s1-p1-c1-o1 » : rattachement à « 1.1 » — "
        "absent du projet académique « pa-essai »"
    ) in out
    assert "« 1 »" not in out


def test_cli_export_writes_the_imported_file_or_the_canonical_text(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, FULL)
    assert main(["--db", db_url, "contract", "import", str(source)]) == 0
    capsys.readouterr()
    out = tmp_path / "out.toml"
    assert main(["--db", db_url, "academic", "export", "pa-essai", "-o", str(out)]) == 0
    assert out.read_bytes() == source.read_bytes()
    assert main(["--db", db_url, "academic", "export", "pa-essai", "--canonical"]) == 0
    canonical = capsys.readouterr().out
    assert "# a comment" not in canonical
    assert canonical == dump_academic_project(load_academic_project(source)[0])


# --- links by avenant --------------------------------------------------------------------------


def _midterm(store: Store):  # type: ignore[no-untyped-def]
    return store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)


def test_an_avenant_adds_and_removes_links(samples: Store) -> None:
    review = _midterm(samples)
    first = samples.get_contract(EPI).objectives_in_order()[0].id
    added = Avenant(
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
    )
    samples.record_avenant(review.id, added)
    revision = samples.revised_contract(EPI)
    revised = {o.id: o for o in revision.revised.objectives}
    assert revised[first].academic_links == ["faciliter-pilotage"]
    assert {o.id: o for o in revision.initial.objectives}[first].academic_links == []
    assert samples.academic_citations("creteil-extrait") == {EPI: {first: ["faciliter-pilotage"]}}
    # the projet cannot lose it now
    project = samples.get_academic_project("creteil-extrait")
    assert project is not None
    project.axes[0].sections[0].objectives.pop(0)
    with pytest.raises(ConflictError, match="faciliter-pilotage"):
        samples.save_academic_project(project, replace=True)
    dropped = Avenant(
        number=2,
        date=dt.date(2019, 3, 2),
        reason="Rattachement retiré",
        changes=[AvenantChange(ChangeKind.LINK_DROP, first, "faciliter-pilotage")],
    )
    samples.record_avenant(review.id, dropped)
    assert {o.id: o for o in samples.revised_contract(EPI).revised.objectives}[
        first
    ].academic_links == []


def test_an_avenant_link_must_name_an_objective_of_the_projet(samples: Store) -> None:
    review = _midterm(samples)
    first = samples.get_contract(EPI).objectives_in_order()[0].id
    before = table_counts(samples)
    bad = Avenant(
        number=1,
        date=dt.date(2019, 3, 1),
        reason="Motif",
        changes=[AvenantChange(ChangeKind.LINK_ADD, first, "1.1", after={"link": "1.1"})],
    )
    with pytest.raises(ConflictError, match=r"« 1\.1 » n'est pas un objectif"):
        samples.record_avenant(review.id, bad)
    assert table_counts(samples) == before


def test_link_changes_apply_like_other_changes() -> None:
    contract = _epinay()
    first = contract.objectives_in_order()[0].id
    add = AvenantChange(ChangeKind.LINK_ADD, first, "reseaux", after={"link": "reseaux"})
    twice = Avenant(1, dt.date(2019, 3, 1), "m", [add, add])
    with pytest.raises(RevueError, match="déjà rattaché"):
        apply_avenants(contract, [twice])
    drop = AvenantChange(ChangeKind.LINK_DROP, first, "reseaux")
    with pytest.raises(RevueError, match="n'est pas rattaché"):
        apply_avenants(contract, [Avenant(1, dt.date(2019, 3, 1), "m", [drop])])
    assert ChangeKind.LINK_ADD.label == "rattachement au projet académique ajouté"


# --- the alignment -----------------------------------------------------------------------------


def test_alignment_marks_objectives_no_contract_objective_serves() -> None:
    project, _ = load_academic_project(CRETEIL)
    rows = alignment(
        project, {"o1": ["faciliter-pilotage"], "o2": ["faciliter-pilotage", "reseaux"]}
    )
    served = {row.item.key: row.served_by for row in rows}
    assert served["faciliter-pilotage"] == ["o1", "o2"]
    assert served["reseaux"] == ["o2"]
    assert [row.item.key for row in rows if row.unserved] == [
        "evaluations-projets",
        "pilotage-reseaux",
        "collectifs-professionnels",
        "notre-ecole-faisons-la-ensemble",
        "innovation-pedagogique",
        "promouvoir-innovation",
    ]


def _projet_strategique() -> str:
    """A whole projet stratégique of the shape the issue describes: 4 axes with their
    orientations, 11 objectives numbered 1.1…, 87 leviers (some under others), 62 critères
    each list with its lead-in, a préambule of 1,700 words signed by the recteur, unheaded
    lists opening some objectives."""
    words = " ".join(f"mot{n}" for n in range(1700))
    out = [
        'format = "revue-projet-academique"',
        "format_version = 2",
        'id = "projet-strategique"',
        'title = "Projet stratégique académique"',
        f'preamble = "{words}"',
        'preamble_signature = "Le recteur de région académique"',
    ]
    per_axis = [3, 3, 3, 2]
    levers_left, criteria_left = 87, 62
    objective_count = 0
    for a, count in enumerate(per_axis, start=1):
        out += ["", "[[axes]]", f'code = "{a}"', f'title = "Axe {a}"', f'text = "Orientations {a}"']
        for o in range(1, count + 1):
            objective_count += 1
            last = objective_count == 11
            criteria = criteria_left if last else 6
            criteria_left -= criteria
            out += ["", "[[axes.objectives]]", f'code = "{a}.{o}"', f'title = "Objectif {a}.{o}"']
            if o == 1:
                out.append('items = ["Constat un", "Constat deux"]')
            out.append('criteria_lead = "Les critères retenus :"')
            out.append("criteria = [" + ", ".join(f'"C{a}.{o}.{c}"' for c in range(criteria)) + "]")
            levers = levers_left if last else 8
            levers_left -= levers
            # one levier with two under it (3 counted), the rest plain
            out += ["", "[[axes.objectives.levers]]", f'text = "L{a}.{o}.0"']
            out.append(f'items = ["L{a}.{o}.0.a", "L{a}.{o}.0.b"]')
            for n in range(1, levers - 2):
                out += ["", "[[axes.objectives.levers]]", f'text = "L{a}.{o}.{n}"']
    return "\n".join(out) + "\n"


def test_a_whole_projet_strategique_round_trips_and_is_counted(
    tmp_path: Path, store: Store
) -> None:
    import time

    path = write(tmp_path, _projet_strategique(), "strategique.toml")
    started = time.perf_counter()
    done, errors = import_files(store, [path])
    imported = time.perf_counter() - started
    assert errors == []
    assert "4 axes ou parties, 11 objectifs, 87 leviers, 62 critères" in done[0].describe()
    project = store.get_academic_project("projet-strategique")
    assert project is not None
    assert len(project.preamble.split()) == 1700
    assert [o.code for o in project.objectives()][:3] == ["1.1", "1.2", "1.3"]
    assert export_academic_project(project).encode("utf-8") == path.read_bytes()
    canonical = dump_academic_project(project)
    again = write(tmp_path, canonical, "canonical.toml")
    assert dump_academic_project(load_academic_project(again)[0]) == canonical
    assert imported < 5  # a generous bound: parsing took 27 ms and saving 100 ms here

"""Reading a bilan TOML (« revue-bilan », docs/format-bilan.md) back, for the DSDEN's
consolidation (:mod:`revue.department`).

The reader takes only what a consolidation needs (the review, the statuses, the indicators,
the avenants, the links to the projet académique) and never the texts a circonscription wrote
(analyses, synthesis): they are not consolidated, so they cannot leak into a consolidated
document. Errors are French and located (file, line, field) like every other reader's.

Keys the reader does not use are ignored: the format promises that a later revue adds keys to
a version without changing the meaning of the others. A ``format_version`` other than
:data:`READ_VERSIONS` is refused.

What a bilan TOML alone lets us check of a closed review's fingerprint (``snapshot_sha256``)
is its consistency, not the hash itself: the hash covers the review's frozen content, which
holds more than the TOML (evidence texts, for one). :func:`fingerprint_problems` lists what
contradicts the claim.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revue.domain.review import ReviewKind, Status
from revue.formats.fields import SCHOOL_YEAR, Context, Table
from revue.formats.tomlfile import (
    MAX_FILE_BYTES,
    Locator,
    PathPart,
    parse_toml_bytes,
    read_toml,
)

BILAN_FORMAT = "revue-bilan"
#: The versions this reader understands.
READ_VERSIONS = (2,)

#: Status values of the format, "non-examine" for an objective the review has not examined.
NOT_EXAMINED = "non-examine"
STATUS_VALUES: dict[str, str] = {
    **{s.value: s.label for s in Status},
    NOT_EXAMINED: "non examiné",
}
KIND_VALUES: dict[str, str] = {k.value: k.label for k in ReviewKind}
DIRECTIONS = {"higher": "plus c'est haut, mieux c'est", "lower": "plus c'est bas, mieux c'est"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class AcademicLink:
    """An objective of the projet académique that a contract's objective serves."""

    id: str
    title: str
    code: str = ""

    @property
    def axe(self) -> str:
        """The axe of the projet: the first part of the code (« 1 » of « 1.2 »); empty when
        the projet has no codes."""
        return self.code.split(".", 1)[0] if self.code else ""


@dataclass
class IndicatorRead:
    label: str
    unit: str
    direction: str
    computed: bool
    baseline: float | None
    target: float | None
    target_year: str | None
    values: dict[str, float]
    gap: float | None
    off_track: bool
    id: str = ""


@dataclass
class ObjectiveRead:
    number: int
    id: str
    strategy: str
    text: str
    status: str  # a key of STATUS_VALUES
    off_track: bool
    indicators: list[IndicatorRead]
    academic_links: list[AcademicLink] = field(default_factory=list)


@dataclass
class AvenantRead:
    number: int
    date: dt.date
    reason: str
    changes: int


@dataclass
class BilanRead:
    """One bilan file, as the consolidation sees it."""

    file: str
    written_on: dt.date
    contract_id: str
    title: str
    circonscription: str
    academie: str
    departement: str
    school_year: str
    kind: str  # a key of KIND_VALUES
    closed: bool
    provisional: bool
    source: str
    examined: int
    total: int
    summary: dict[str, int]
    objectives: list[ObjectiveRead]
    avenants: list[AvenantRead]
    academic_project: AcademicLink | None = None
    academic_project_title: str = ""
    snapshot_sha256: str = ""
    snapshot_taken_at: dt.datetime | None = None
    #: The data read, without its date of writing: two exports of one closed review are equal.
    content: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def off_track(self) -> list[ObjectiveRead]:
        return [o for o in self.objectives if o.off_track]


class _LazyLocator(Locator):
    """A :class:`Locator` that scans the text only when a line is asked for (an error): a
    consolidation reads hundreds of valid files and locates nothing in them."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        if self._text is not None:
            scanned = Locator.scan(self._text)
            self.lines, self.last_line, self._text = scanned.lines, scanned.last_line, None
        return super().line_of(path)


def read_bilan(path: str | Path) -> BilanRead:
    """Read one bilan TOML file, or raise :class:`~revue.domain.errors.InputError` (French,
    located).

    The usual case, a well-formed UTF-8 file of reasonable size, is parsed at once; anything
    else goes through :func:`revue.formats.tomlfile.read_toml`, which says what is wrong."""
    try:
        raw = Path(path).read_bytes() if os.stat(path).st_size <= MAX_FILE_BYTES else b""
        text = raw.decode("utf-8").removeprefix("\ufeff") if b"\x00" not in raw else ""
        data = tomllib.loads(text) if text.strip() else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        data = None
    if data is None:
        data, locator = read_toml(path)  # raises, saying why
        return _read(data, Context(str(path), locator))
    return _read(data, Context(str(path), _LazyLocator(text)))


def parse_bilan(raw: bytes, filename: str) -> BilanRead:
    data, locator = parse_toml_bytes(raw, filename)
    return _read(data, Context(filename, locator))


def _read(data: dict[str, Any], ctx: Context) -> BilanRead:
    top = ctx.table(data, ())
    if top.data.get("format") != BILAN_FORMAT:
        found = top.data.get("format")
        top.fail(
            "format",
            f"ce n'est pas un bilan de revue (« format » vaut « {str(found)[:40]} », attendu "
            f"« {BILAN_FORMAT} »)"
            if found is not None
            else f'ce n\'est pas un bilan de revue (clé « format = "{BILAN_FORMAT}" » absente)',
        )
    version = top.data.get("format_version")
    if version not in READ_VERSIONS:
        older = isinstance(version, int) and not isinstance(version, bool) and version < 2
        top.fail(
            "format_version",
            f"version {version} du format des bilans, écrite par une version antérieure de "
            "revue : demandez à la circonscription de refaire l'export (revue bilan … "
            "--format toml) avec revue à jour"
            if older
            else f"version « {version} » du format des bilans inconnue de cette version de "
            f"revue (versions lues : {', '.join(map(str, READ_VERSIONS))}) : mettez revue à jour",
        )
    written_on = top.date("written_on", required=True)
    contract = _required_table(top, "contract")
    review = _required_table(top, "review")
    project, project_title = _academic_project(contract)
    objectives = [_objective(t) for t in top.tables("objectives")]
    bilan = BilanRead(
        file=ctx.filename,
        written_on=written_on,
        contract_id=contract.text("id", required=True, multiline=False),
        title=contract.text("title"),
        circonscription=contract.text("circonscription", required=True, multiline=False),
        academie=contract.text("academie", multiline=False),
        departement=contract.text("departement", multiline=False),
        school_year=_required_year(review, "school_year"),
        kind=review.choice("kind", KIND_VALUES)
        or review.fail("kind", "valeur obligatoire manquante"),
        closed=review.boolean("closed"),
        provisional=review.boolean("provisional"),
        source=review.text("source", multiline=False),
        examined=_count(review, "examined"),
        total=_count(review, "objectives"),
        summary=_summary(top),
        objectives=objectives,
        avenants=[_avenant(t) for t in top.tables("avenants")],
        academic_project=project,
        academic_project_title=project_title,
        snapshot_sha256=review.text("snapshot_sha256", multiline=False),
        snapshot_taken_at=_datetime(review, "snapshot_taken_at"),
        content={k: v for k, v in data.items() if k != "written_on"},
    )
    return bilan


def _required_table(parent: Table, key: str) -> Table:
    table = parent.subtable(key)
    if table is None:
        parent.fail(key, f"table [{key}] manquante")
    return table


def _required_year(table: Table, key: str) -> str:
    year = table.school_year(key)
    if year is None:
        table.fail(key, "valeur obligatoire manquante")
    return year


def _count(table: Table, key: str) -> int:
    value = table.data.get(key, 0)
    table.seen.add(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        table.fail(key, f"un nombre entier positif est attendu, trouvé « {str(value)[:20]} »")
    return value


def _datetime(table: Table, key: str) -> dt.datetime | None:
    value = table.data.get(key)
    table.seen.add(key)
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        table.fail(key, "une date et heure est attendue (AAAA-MM-JJTHH:MM:SSZ)")
    return value


def _summary(top: Table) -> dict[str, int]:
    table = top.subtable("summary")
    if table is None:
        return {}
    out = {}
    for key in table.data:
        if key not in STATUS_VALUES:
            table.fail(key, f"statut « {key[:40]} » inconnu")
        out[key] = _count(table, key)
    return out


def _academic_project(contract: Table) -> tuple[AcademicLink | None, str]:
    """``academic_project``: a table ``{ id, title }`` (or, in files written before the links,
    the projet's title alone)."""
    value = contract.data.get("academic_project")
    contract.seen.add("academic_project")
    if value is None:
        return None, ""
    if isinstance(value, str):
        return None, contract.text("academic_project", multiline=False)
    link = _link(contract.ctx.table(value, (*contract.path, "academic_project")))
    return link, link.title


def _link(table: Table) -> AcademicLink:
    """``{ id, code, title }``: the id is the stable key; without one (a projet without ids),
    the code, else the title, stands for it."""
    code = table.text("code", multiline=False)
    title = table.text("title", multiline=False)
    key = table.text("id", multiline=False) or code or title
    if not key:
        table.fail("id", "lien au projet académique sans identifiant, code ni titre")
    return AcademicLink(id=key, title=title, code=code)


def _objective(table: Table) -> ObjectiveRead:
    number = table.data.get("number")
    table.seen.add("number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        table.fail("number", "un numéro d'objectif (entier à partir de 1) est attendu")
    links = [_link(link) for link in table.tables("academic_links")]
    return ObjectiveRead(
        number=number,
        id=table.text("id", required=True, multiline=False),
        strategy=table.text("strategy", multiline=False),
        text=table.text("text"),
        status=table.choice("status", STATUS_VALUES, NOT_EXAMINED),
        off_track=table.boolean("off_track"),
        indicators=[_indicator(t) for t in table.tables("indicators")],
        academic_links=links,
    )


def _indicator(table: Table) -> IndicatorRead:
    values: dict[str, float] = {}
    by_year = table.subtable("values")
    if by_year is not None:
        for year in by_year.data:
            if not SCHOOL_YEAR.match(year) or int(year[5:]) != int(year[:4]) + 1:
                by_year.fail(year, f"année scolaire « {year[:20]} » invalide (« 2018-2019 »)")
            number = by_year.number(year)
            if number is not None:
                values[year] = number
    return IndicatorRead(
        id=table.text("id", multiline=False),
        label=table.text("label", required=True, multiline=False),
        unit=table.text("unit", multiline=False),
        direction=table.choice("direction", DIRECTIONS, "higher"),
        computed=table.boolean("computed"),
        baseline=table.number("baseline"),
        target=table.number("target"),
        target_year=table.school_year("target_year"),
        values=values,
        gap=table.number("gap"),
        off_track=table.boolean("off_track"),
    )


def _avenant(table: Table) -> AvenantRead:
    number = table.data.get("number")
    table.seen.add("number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        table.fail("number", "un numéro d'avenant (entier à partir de 1) est attendu")
    changes = table.data.get("changes", [])
    table.seen.add("changes")
    if not isinstance(changes, list):
        table.fail("changes", "une liste de modifications est attendue")
    return AvenantRead(
        number=number,
        date=table.date("date", required=True),
        reason=table.text("reason"),
        changes=len(changes),
    )


def fingerprint_problems(bilan: BilanRead) -> list[str]:
    """What in the file contradicts its review's state and, for a closed review, the
    fingerprint it cites (French, one sentence each; empty when all holds). The hash itself
    cannot be recomputed from the TOML: it covers the review's whole frozen content."""
    problems = []
    if bilan.provisional == bilan.closed:
        problems.append(
            "« closed » et « provisional » se contredisent (une revue clôturée n'est pas "
            "provisoire)"
        )
    if bilan.closed:
        if not bilan.snapshot_sha256:
            problems.append("revue clôturée sans empreinte (« snapshot_sha256 » absente)")
        elif not _SHA256.match(bilan.snapshot_sha256):
            problems.append("empreinte « snapshot_sha256 » mal formée (64 chiffres hexadécimaux)")
        if bilan.snapshot_taken_at is None:
            problems.append("revue clôturée sans date de clôture (« snapshot_taken_at »)")
        elif bilan.snapshot_taken_at.date() > bilan.written_on:
            problems.append("date de clôture postérieure à la date d'établissement du bilan")
        if bilan.source not in ("frozen", "rebuilt"):
            problems.append(
                f"revue clôturée dont le bilan ne vient pas du relevé figé (source « {bilan.source} »)"
            )
    elif bilan.snapshot_sha256:
        problems.append("revue ouverte qui cite une empreinte de clôture")
    counts: dict[str, int] = {}
    for objective in bilan.objectives:
        counts[objective.status] = counts.get(objective.status, 0) + 1
        late = any(i.off_track for i in objective.indicators)
        if late != objective.off_track:
            problems.append(
                f"objectif n° {objective.number} : « off_track » ne correspond pas à ses "
                "indicateurs"
            )
    if counts != bilan.summary:
        problems.append("le décompte des statuts ([summary]) ne correspond pas aux objectifs")
    return problems

"""Writes sample_data/echange-*.json: two conseillers' logs for Thionville 1, 2018-2019.

Everything in them is fictitious (people, schools, teachers). The two files overlap (three
entries were exchanged earlier) and one entry was edited on both laptops since, so importing
both shows a conflict. Run from the project root: python tools/make_sample_exchanges.py

The files are signed (exchange format 2) by two fictitious keys derived from fixed texts, so
that the files come out the same at every run: anyone can rebuild these keys, which is fine
for fictitious people and nothing else. Paul's file relays the entries he had received from
Claire with her signatures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

from revue.domain.contract import stable_uuid
from revue.domain.log import Content, Version
from revue.formats.exchange import KeyInfo, dump_exchange, version_payload
from revue.formats.signing import VERSION_LABEL, SigningKey

CONTRACT = "thionville1-2016-2020"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def objective(slug: str) -> str:
    return str(stable_uuid(CONTRACT, "objective", slug))


def entry(n: str, day: tuple[int, int, int], author: str, **kw: object) -> Version:
    content = Content(date=dt.date(*day), author=author, **kw)  # type: ignore[arg-type]
    return Version.first(content, id=uuid.uuid5(uuid.NAMESPACE_URL, f"revue-sample/{n}"))


CLAIRE, PAUL = "Claire Martin (CPC, fictive)", "Paul Durand (ERUN, fictif)"
TEAM = objective("axe2-equipes-o1")
PILOT = objective("axe2-pilotage-o1")
CAREER = objective("axe2-carriere-o1")

shared = [
    entry(
        "c1",
        (2018, 9, 20),
        CLAIRE,
        modality="collective",
        initiative="team",
        schools=("0579901A",),
        theme="Lecture au CP : fluence",
        objectives=(TEAM,),
        duration_minutes=90,
        participants=6,
        notes="Demande de l'équipe de cycle 2 ; travail sur les tests de fluence.",
        follow_up="Revenir en janvier pour les résultats.",
    ),
    entry(
        "c2",
        (2018, 10, 4),
        CLAIRE,
        modality="individual",
        initiative="teacher",
        schools=("0579903C",),
        theme="Entrée dans le métier",
        objectives=(CAREER,),
        duration_minutes=60,
        participants=1,
        notes="Mme Leroy (fictive), T1, demande un appui sur la gestion de classe.",
    ),
    entry(
        "c3",
        (2018, 11, 15),
        CLAIRE,
        modality="collective",
        initiative="ien",
        schools=("0579903C", "0579907G"),
        network="Réseau Côte des Roses",
        theme="Résolution de problèmes",
        objectives=(TEAM,),
        duration_minutes=120,
        participants=11,
        notes="Animation de réseau à l'initiative de l'IEN.",
    ),
]
claire_only = [
    entry(
        "c4",
        (2019, 1, 17),
        CLAIRE,
        modality="collective",
        initiative="team",
        schools=("0579901A",),
        theme="Lecture au CP : fluence",
        objectives=(TEAM,),
        duration_minutes=90,
        participants=6,
        notes="Retour sur les résultats de mi-CP.",
    ),
    entry(
        "c5",
        (2019, 3, 7),
        CLAIRE,
        modality="individual",
        initiative="ien",
        schools=("0579906F",),
        theme="Accompagnement PPCR",
        objectives=(CAREER,),
        duration_minutes=75,
        participants=1,
        notes="M. Garnier (fictif) : préparation du rendez-vous de carrière.",
    ),
    entry(
        "c6",
        (2019, 8, 31),
        CLAIRE,
        modality="collective",
        initiative="team",
        schools=("0579902B",),
        theme="Langage en maternelle",
        objectives=(TEAM,),
        duration_minutes=60,
        participants=4,
        notes="Pré-rentrée : dernier jour de l'année 2018-2019.",
    ),
]
paul_only = [
    entry(
        "p1",
        (2018, 9, 27),
        PAUL,
        modality="collective",
        initiative="team",
        schools=("0579904D",),
        theme="ENT et cahier de liaison numérique",
        objectives=(PILOT,),
        duration_minutes=60,
        participants=5,
        notes="Sollicitation du directeur.",
    ),
    entry(
        "p2",
        (2018, 12, 6),
        PAUL,
        modality="individual",
        initiative="teacher",
        schools=("0579905E",),
        theme="Robotique en maternelle",
        duration_minutes=45,
        participants=1,
        notes="Mme Petit (fictive) prépare un projet Bee-Bot.",
    ),
    entry(
        "p3",
        (2019, 2, 14),
        PAUL,
        modality="collective",
        initiative="ien",
        schools=("0579901A", "0579904D"),
        theme="Directeurs : outils numériques de pilotage",
        objectives=(PILOT,),
        duration_minutes=150,
        participants=9,
        notes="Groupe de travail des directeurs.",
    ),
    entry(
        "p4",
        (2019, 5, 23),
        PAUL,
        modality="collective",
        initiative="team",
        schools=("0579908H",),
        theme="Programmation débranchée",
        duration_minutes=90,
        participants=3,
        notes="Demande de l'équipe.",
    ),
    entry(
        "p5",
        (2019, 9, 2),
        PAUL,
        modality="individual",
        initiative="teacher",
        schools=("0579904D",),
        theme="Tableau numérique",
        duration_minutes=30,
        participants=1,
        notes="Premier jour de l'année 2019-2020 : ne compte pas pour 2018-2019.",
    ),
]

# The same entry, completed differently on each laptop after the earlier exchange.
c2_claire = shared[1].edited(
    dataclasses.replace(
        shared[1].content, follow_up="Deuxième visite prévue le 15/11/2018.", duration_minutes=70
    )
)
c2_paul = shared[1].edited(
    dataclasses.replace(
        shared[1].content,
        notes=shared[1].content.notes + " Ressources numériques transmises.",
        follow_up="Envoyer la fiche ressources.",
    )
)

CLAIRE_KEY = SigningKey.from_seed_text("revue-sample/claire-martin (fictive)")
PAUL_KEY = SigningKey.from_seed_text("revue-sample/paul-durand (fictif)")


def signed_by(key: SigningKey, v: Version) -> Version:
    """``v`` as received from the store of ``key`` (its signature travels with it)."""
    signature = key.sign(VERSION_LABEL, version_payload(v, key.fingerprint))
    return dataclasses.replace(v, signer=key.fingerprint, signature=signature)


stamp = dt.datetime(2019, 6, 28, 17, 30)
from_claire = {CLAIRE_KEY.fingerprint: KeyInfo(CLAIRE, CLAIRE_KEY.public_key)}
files = {
    "echange-claire-martin-2018-2019.json": (
        [shared[0], c2_claire, shared[2], *claire_only],
        CLAIRE,
        CLAIRE_KEY,
    ),
    "echange-paul-durand-2018-2019.json": (
        [signed_by(CLAIRE_KEY, shared[0]), c2_paul, signed_by(CLAIRE_KEY, shared[2]), *paul_only],
        PAUL,
        PAUL_KEY,
    ),
}
for name, (versions, author, key) in files.items():
    text = dump_exchange(
        versions, author=None, exported_at=stamp, key=key, name=author, known=from_claire
    )
    (SAMPLES / name).write_text(text, encoding="utf-8")
    print(f"{name}: {len(versions)} accompagnements ({author})")

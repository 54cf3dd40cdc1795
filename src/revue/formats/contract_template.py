"""The commented French template ``revue contract new`` writes: a whole contract (header,
parties, articles, a section, an objective with two indicators and an action) that imports as
it is, every key explained where it stands. ``tests/unit/test_contract_template.py`` imports it
and checks the export round trip."""

from __future__ import annotations

TEMPLATE = '''\
# Modèle de contrat pour revue — à compléter, puis à importer :
#     revue contract import mon-contrat.toml
#
# Ce fichier s'importe tel quel : remplacez les exemples par le texte de votre contrat, mot
# pour mot. Le guide complet est docs/format-contrat.md (« Le fichier de contrat »).
#
# Rappels : un texte s'écrit entre guillemets droits "…" (sur plusieurs lignes : entre """
# et """) ; une date s'écrit 2019-06-20 (année-mois-jour, sans guillemets) ; un nombre
# s'écrit sans guillemets avec un point décimal (12.5) ; une ligne qui commence par # est un
# commentaire. Une clé facultative sans valeur s'efface, ligne entière.

# Toujours ces deux lignes en tête : le format du fichier et sa version.
format = "revue-contrat"
format_version = 1

# Identifiant du contrat : minuscules sans accents, chiffres, tirets ; il ne change plus une
# fois la première revue commencée.
id = "ma-circonscription-2020-2023"

# "contrat" (contrat de coopération DSDEN – circonscription) ou "projet" (projet de
# circonscription).
kind = "contrat"

# Le titre du document, tel qu'il est écrit (obligatoire).
title = "Contrat de coopération entre la DSDEN et la circonscription de Ma-Circonscription"

# La circonscription (obligatoire), l'académie, le département, l'IEN (facultatifs).
circonscription = "Ma-Circonscription"
academie = "Mon-Académie"
departement = "Mon-Département"
ien = "Prénom Nom"

# La période du contrat (obligatoire) : première et dernière date.
start_date = 2020-09-01
end_date = 2023-08-31

# Date et lieu de signature (facultatifs).
signature_date = 2020-06-30
signature_place = "Ma-Ville"

# Le préambule : texte d'introduction, s'il y en a un (facultatif).
preamble = "Texte du préambule, recopié du document."

# Le projet académique auquel le contrat se rattache (facultatif) : son titre et, s'il est
# importé dans revue, son identifiant (revue academic list). Sans projet académique
# importé, effacez la clé id et les lignes academic_links des objectifs.
# academic_project = { title = "Projet académique de Mon-Académie", id = "mon-academique" }

# Les parties au contrat, une par bloc [[parties]] : name, le nom (obligatoire) ;
# representative, qui signe, et representative_title, à quel titre (facultatifs).
[[parties]]
name = "Direction des services départementaux de l'Éducation nationale"
representative = "Prénom Nom"
representative_title = "Inspecteur d'académie - directeur académique des services de l'Éducation nationale"

[[parties]]
name = "Circonscription du premier degré de Ma-Circonscription"
representative = "Prénom Nom"
representative_title = "inspectrice de l'Éducation nationale"

# Les articles du contrat, un par bloc [[articles]] : title et text (obligatoires).
[[articles]]
title = "Article 1"
text = """
Les responsables de la circonscription s'engagent à la réalisation prioritaire des objectifs suivants."""

# Une section du document, une par bloc [[sections]] : stratégie, axe, priorité, champ
# d'intervention… Le niveau (level) prend le nom que lui donne le document.
#   id     identifiant unique dans le fichier (obligatoire)
#   level  nom du niveau (obligatoire) : "Stratégie", "Axe", "Champ d'intervention"…
#   code   numéro tel que le document l'écrit (facultatif)
#   title  intitulé (obligatoire)
#   parent identifiant de la section qui la contient, écrite plus haut (facultatif)
#   text   texte qui accompagne l'intitulé (facultatif)
[[sections]]
id = "s1"
level = "Stratégie"
code = "1"
title = "Intitulé de la première stratégie"

# Un objectif, un par bloc [[objectives]], après sa section.
#   id              identifiant unique dans le fichier (obligatoire)
#   section         identifiant de sa section (facultatif : sans lui, l'objectif est au
#                   premier niveau du contrat)
#   title           titre court, si le document en donne un (facultatif)
#   text            texte de l'objectif (obligatoire)
#   criteria        critères d'évaluation, une liste de textes (facultatif)
#   academic_links  codes du projet académique auxquels il se rattache, par exemple
#                   ["1.1"] (facultatif ; demande academic_project.id plus haut)
[[objectives]]
id = "s1-o1"
section = "s1"
text = "Texte du premier objectif"
criteria = ["Premier critère d'évaluation"]

# Un indicateur de l'objectif, un par bloc [[objectives.indicators]].
#   id             identifiant unique (facultatif, mieux vaut l'écrire)
#   label          ce qu'on mesure (obligatoire)
#   unit           unité : "%", "demandes"… (facultatif)
#   source         d'où vient la valeur (facultatif)
#   baseline       valeur initiale, un nombre (facultatif) ; baseline_year son année
#                  scolaire, obligatoire avec elle : "2019-2020"
#   target         cible, un nombre (facultatif) ; target_year l'année où l'atteindre,
#                  une année du contrat, obligatoire avec elle
#   direction      "higher" (plus haut = mieux, par défaut) ou "lower" (plus bas = mieux)
#   note           remarque libre (facultatif)
[[objectives.indicators]]
id = "s1-o1-taux"
label = "Ce que mesure le premier indicateur"
unit = "%"
source = "Évaluations nationales"
baseline = 12.5
baseline_year = "2019-2020"
target = 5
target_year = "2022-2023"
direction = "lower"

# Un indicateur compté dans le journal des accompagnements : computed dit lesquels compter.
#   modality             "collective" ou "individual" (facultatif : les deux)
#   initiative           "team", "ien" ou "teacher" (facultatif : toutes)
#   theme                texte que le thème doit contenir (facultatif)
#   linked_to_objective  true : seulement ceux rattachés à cet objectif dans le journal
# Un indicateur compté n'a pas de valeur initiale (baseline) : elle se lit dans le journal.
[[objectives.indicators]]
id = "s1-o1-demandes"
label = "Nombre de demandes d'accompagnement collectif émanant des équipes pédagogiques"
unit = "demandes"
direction = "higher"
computed = { modality = "collective", initiative = "team" }

# Une action du plan d'actions, une par bloc [[objectives.actions]] : what, l'action
# (obligatoire) ; who, qui la conduit, et when, quand (facultatifs, texte libre) ; id comme
# pour les indicateurs.
[[objectives.actions]]
id = "s1-o1-a1"
what = "Première action du plan d'actions"
who = "Conseillers pédagogiques"
when = "Chaque période"
'''

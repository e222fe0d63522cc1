"""The report's « Suites à 1, 3 et 6 mois »: what became of the needs expressed at the villages,
as followed after the day (app/services/followup.py). One section of the report
(app/services/report.py, SECTIONS), whose tables the page, the PDF and the spreadsheet show as the
others; its tables say what a reader knows of their cells, for the diffusion version's
suppression (app/services/disclosure.py)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from ..documents.figures import MET, PARTLY_MET, TOTAL, Table
from ..extensions import db
from ..models import SUPPORT_NEEDS, NeedThread, Village
from ..models.followup import DEFAULT_FOLLOWUP_MONTHS, MET_STATUSES, PARTLY_MET_STATUSES, FollowupRound, ThreadStatus
from . import disclosure, followup

FOLLOWED = "Besoins suivis"
NO_NEWS = "Sans suite connue"
ORIENTED = "Besoins orientés ou suivis"
# The columns of the table by need, and the statuses each counts: from the worst to the best,
# as the stacked bars' colours go, then the needs followed.
OUTCOME_COLUMNS = {
    "Non obtenus, caducs": (ThreadStatus.NOT_MET, ThreadStatus.OBSOLETE),
    NO_NEWS: (ThreadStatus.EXPRESSED,),
    "En cours, orientés": (ThreadStatus.IN_PROGRESS, ThreadStatus.ORIENTED),
    PARTLY_MET: PARTLY_MET_STATUSES,
    MET: MET_STATUSES,
}
NOT_SAID = "Partenaire non précisé"


def followup_title(villages: list[Village]) -> str:
    """« Suites à 1, 3 et 6 mois », with the months of the villages' schedules."""
    months = sorted({r.months_after for r in db.session.scalars(
        select(FollowupRound).where(FollowupRound.village_id.in_([v.id for v in villages])))}) \
        or list(DEFAULT_FOLLOWUP_MONTHS)
    said = [str(m) for m in months]
    return "Suites à " + (said[0] if len(said) == 1 else ", ".join(said[:-1]) + " et " + said[-1]) + " mois"


def followup_tables(facts) -> list[Table]:
    """The needs expressed at the report's villages (`facts.villages`), by need and by type of
    partner, with what became of them (each thread's latest status)."""
    villages = facts.villages
    threads = db.session.execute(
        select(NeedThread.category, NeedThread.status, NeedThread.partner_role, NeedThread.oriented_to)
        .where(NeedThread.id.in_(followup.threads_at_villages([v.id for v in villages])))
    ).all()
    title = followup_title(villages)
    by_need = Counter(category for category, *_ in threads)
    by_outcome = Counter((category, status) for category, status, *_ in threads)
    rows = []
    for key, label in SUPPORT_NEEDS.items():
        if by_need[key]:
            rows.append([label, *(sum(by_outcome[(key, s)] for s in statuses) for statuses in OUTCOME_COLUMNS.values()),
                         by_need[key]])
    if rows:
        rows.append([TOTAL, *(sum(row[i] for row in rows) for i in range(1, len(OUTCOME_COLUMNS) + 2))])
    needs = Table("suites_besoins", f"{title} : besoins d'appui après le village",
                  ["Besoin", *OUTCOME_COLUMNS, FOLLOWED], rows, chart="stacked", counted_rows=True,
                  note="Chaque besoin d'appui exprimé par une initiative au village, suivi après la journée "
                       "(nouvelles des porteurs, des partenaires rencontrés et de l'équipe) : son statut le "
                       "plus récent. Caducs : plus d'actualité.")
    by_partner = {ORIENTED: Counter(), PARTLY_MET: Counter(), MET: Counter()}
    for _, status, role, oriented_to in threads:
        partner = followup.PARTNER_TYPES.get(role, NOT_SAID) if role or oriented_to else NOT_SAID
        if status != ThreadStatus.EXPRESSED:
            by_partner[ORIENTED][partner] += 1
        for column in (PARTLY_MET, MET):
            by_partner[column][partner] += status in OUTCOME_COLUMNS[column]
    partner_rows = [[label, *(counted[label] for counted in by_partner.values())]
                    for label in [*followup.PARTNER_TYPES.values(), NOT_SAID] if by_partner[ORIENTED][label]]
    partners = Table("suites_partenaires", f"{title} : besoins obtenus par type de partenaire",
                     ["Type de partenaire", *by_partner], partner_rows, counted_rows=True,
                     note="Le partenaire est celui vers qui le besoin a été orienté ou qui l'a satisfait, "
                          "selon le porteur, le partenaire lui-même ou l'équipe.")
    # Each need row splits its needs followed; each partner's needs met (partly) are among those oriented,
    # and the partners' rows share out the needs met, those partly met and those with a known follow-up.
    needs.relations = [disclosure.total([needs.cell(row[0], h) for h in OUTCOME_COLUMNS], needs.cell(row[0], FOLLOWED))
                       for row in needs.rows]
    partners.relations = [disclosure.at_most([partners.cell(row[0], PARTLY_MET), partners.cell(row[0], MET)],
                                             partners.cell(row[0], ORIENTED)) for row in partner_rows]
    if rows:
        partners.relations += [disclosure.total([partners.cell(row[0], column) for row in partner_rows],
                                                needs.cell(TOTAL, column)) for column in (PARTLY_MET, MET)]
        partners.relations.append(disclosure.Relation(  # every need followed on, under one partner label
            tuple((partners.cell(row[0], ORIENTED), 1) for row in partner_rows)
            + tuple((needs.cell(TOTAL, h), -1) for h in OUTCOME_COLUMNS if h != NO_NEWS)))
    return [needs, partners]

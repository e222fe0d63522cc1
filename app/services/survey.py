"""The satisfaction questionnaire of a village: its questions, participants' answers, and what
the report shows of them."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import delete, select

from ..documents.figures import Table
from ..extensions import db
from ..models import QuestionKind, Registration, SurveyQuestion, SurveyResponse, Village
from . import audit, disclosure
from .checkin import came_to_the_village

RATINGS = {1: "Pas du tout", 2: "Peu", 3: "Moyennement", 4: "Beaucoup", 5: "Tout à fait"}
DEFAULT_QUESTIONS = [
    (QuestionKind.RATING, "La journée a-t-elle répondu à vos attentes ?"),
    (QuestionKind.RATING, "Avez-vous rencontré des personnes utiles pour votre action ?"),
    (QuestionKind.RATING, "Recommanderiez-vous le village à d'autres ?"),
    (QuestionKind.TEXT, "Qu'est-ce qui vous a le plus servi ? Que faudrait-il améliorer ?"),
]
LONGEST_ANSWER = 2000


def questions(village: Village, *, to_change: bool = False) -> list[SurveyQuestion]:
    """The village's questions; a village without any is given the default ones. `to_change`:
    the caller will replace them (set_questions), so the village's row is locked before the
    default questions are written, whose reference to it would otherwise take a lock that two
    forms posted at once both hold while each waits for the other's."""
    if to_change:
        _lock(village)
    found = list(db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.village_id == village.id).order_by(SurveyQuestion.position)
    ))
    if found:
        return found
    found = [SurveyQuestion(village_id=village.id, position=n, kind=kind, text=text)
             for n, (kind, text) in enumerate(DEFAULT_QUESTIONS)]
    db.session.add_all(found)
    db.session.flush()
    return found


def set_questions(village: Village, rating_texts: list[str], open_texts: list[str], actor: str) -> None:
    """Replace the questions. Answers already given keep only those whose question is kept.
    The village's row is locked first: the same form posted twice at once replaces them once."""
    kept = {(q.kind, q.text): q for q in questions(village, to_change=True)}
    wanted = [(QuestionKind.RATING, t) for t in rating_texts] + [(QuestionKind.TEXT, t) for t in open_texts]
    for position, (kind, text) in enumerate(wanted):
        question = kept.pop((kind, text), None) or SurveyQuestion(village_id=village.id, kind=kind, text=text)
        question.position = position
        db.session.add(question)
    if kept:
        db.session.execute(delete(SurveyQuestion).where(SurveyQuestion.id.in_([q.id for q in kept.values()])))
    audit.record(actor, "survey.questions", village, questions=[text for _, text in wanted])


def _lock(village: Village) -> None:
    db.session.execute(select(Village.id).where(Village.id == village.id).with_for_update())


def response_of(registration: Registration) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(SurveyResponse.registration_id == registration.id))


def answer(registration: Registration, answers: dict[int, int | str]) -> SurveyResponse:
    """Keep a participant's answers (a second answer replaces the first)."""
    valid = {}
    for question in questions(registration.village):
        value = answers.get(question.id)
        if question.kind == QuestionKind.RATING and value in RATINGS:
            valid[str(question.id)] = value
        elif question.kind == QuestionKind.TEXT and isinstance(value, str) and value.strip():
            valid[str(question.id)] = value.strip()[:LONGEST_ANSWER]
    response = response_of(registration) or SurveyResponse(
        registration_id=registration.id, village_id=registration.village_id
    )
    response.answers = valid
    db.session.add(response)
    return response


def _answers(village_ids: list[int]):
    """(question, answer) for every answer given at these villages."""
    questions = {str(q.id): q for q in db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.village_id.in_(village_ids))
        .order_by(SurveyQuestion.village_id, SurveyQuestion.position))}
    for answers in db.session.scalars(select(SurveyResponse.answers).where(SurveyResponse.village_id.in_(village_ids))):
        for key, value in (answers or {}).items():
            if key in questions:
                yield questions[key], value


def report_tables(village_ids: list[int]):
    """One table: for each rating question (same text across villages), how many gave each rating."""
    counted: dict[str, Counter] = defaultdict(Counter)
    positions: dict[str, int] = {}
    for question, value in _answers(village_ids):
        if question.kind == QuestionKind.RATING:
            counted[question.text][value] += 1
            positions.setdefault(question.text, question.position)
    # In the questionnaire's order (answers come in no particular order).
    rows = sorted(([text, *(ratings.get(r, 0) for r in RATINGS), sum(ratings.values())]
                   for text, ratings in counted.items()), key=lambda row: positions[row[0]])
    table = Table(
        "satisfaction", "Questionnaire de satisfaction", ["Question", *RATINGS.values(), "Réponses"], rows,
        chart="stacked", counted_rows=True,
        note="Réponses : participants ayant donné une note à la question, dans le questionnaire proposé après "
             "le village.",
    )
    table.relations = [
        disclosure.total([table.cell(row[0], r) for r in RATINGS.values()], table.cell(row[0], "Réponses"))
        for row in rows]
    return [table]


def comments(village_ids: list[int]) -> dict[str, list[str]]:
    """The open answers, under their question."""
    found: dict[str, list[str]] = defaultdict(list)
    for question, value in _answers(village_ids):
        if question.kind == QuestionKind.TEXT:
            found[question.text].append(value)
    return dict(found)


def response_count(village: Village) -> int:
    return db.session.scalar(
        select(db.func.count()).select_from(SurveyResponse).where(SurveyResponse.village_id == village.id)
    )


def is_open(registration: Registration, now: datetime | None = None) -> bool:
    """For those who came: once the village has begun, to those admitted on its day."""
    return came_to_the_village(registration, now)

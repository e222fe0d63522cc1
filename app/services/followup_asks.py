"""Asking after the day: each past village's follow-up e-mails, on its schedule.

A village's schedule is a few rounds (by default one, three and six months after the day:
app/models/followup.py). When a round is due — or at once, by « Relancer maintenant » or
`flask followup send --now` — its porteurs are asked about their open needs and the
institutions and élus who met them about those porteurs. Each e-mail is a FollowupAsk, unique
per round and person, written with its outbox message in one transaction: whatever runs twice,
nobody gets the same round twice. Nobody is asked whose needs are all closed, who opted out,
whose data was erased, or who has no address.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Meeting, NeedThread, Registration, RegistrationStatus, Role, Village, VillagePhase
from ..models.followup import DEFAULT_FOLLOWUP_MONTHS, FollowupAsk, FollowupRound, Recorder
from ..templating import french_date
from ..timeutil import local_today, utcnow
from . import audit, followup, notifications

LONGEST_DELAY_MONTHS = 36


@dataclass
class Sent:
    """What one run did for one village, told in French."""

    village: Village
    round: FollowupRound | None = None
    porteurs: int = 0
    partners: int = 0
    reason: str = ""

    @property
    def summary(self) -> str:
        if self.round is None:
            return f"{self.village.name} : {self.reason}"
        people = self.porteurs + self.partners
        return (f"{self.village.name} : relance {self.round.number} ({self.round.months_after} mois après) — "
                f"{people} e-mail{'s' if people > 1 else ''} ({self.porteurs} porteur{'s' if self.porteurs > 1 else ''}, "
                f"{self.partners} partenaire{'s' if self.partners > 1 else ''}).")


def due_on(village: Village, months: int) -> date:
    return village.day + relativedelta(months=months)


def schedule(village: Village) -> list[FollowupRound]:
    """The village's rounds; the default schedule is set the first time. The caller commits."""
    if not village.followup_rounds:
        set_schedule(village, list(DEFAULT_FOLLOWUP_MONTHS))
    return list(village.followup_rounds)


def set_schedule(village: Village, months: list[int]) -> None:
    """Replace the rounds not sent yet by rounds `months` after the day (rounds already sent stay)."""
    months = sorted(set(months))
    if not months or months[0] < 1 or months[-1] > LONGEST_DELAY_MONTHS:
        raise followup.Refused(f"Indiquez des délais entre 1 et {LONGEST_DELAY_MONTHS} mois après le village.")
    sent = [r for r in village.followup_rounds if r.sent_at is not None]
    for unsent in [r for r in village.followup_rounds if r.sent_at is None]:
        village.followup_rounds.remove(unsent)
    db.session.flush()
    last_sent = max((r.months_after for r in sent), default=0)
    for number, delay in enumerate((m for m in months if m > last_sent), start=len(sent) + 1):
        village.followup_rounds.append(FollowupRound(number=number, months_after=delay, due_on=due_on(village, delay)))


def is_due(round_: FollowupRound, now: datetime) -> bool:
    return round_.sent_at is None and local_today(now) >= round_.due_on


def next_round(village: Village) -> FollowupRound | None:
    return next((r for r in schedule(village) if r.sent_at is None), None)


def villages_to_follow(now: datetime | None = None) -> list[Village]:
    """The past villages, oldest first."""
    return list(db.session.scalars(select(Village).where(Village.after_day_clause(now)).order_by(Village.day)))


def send(village: Village, now: datetime | None = None, *, at_once: bool = False, actor: str = "system") -> Sent:
    """Ask what is due for `village` (with `at_once`: its next round, due or not). A round that
    falls due while a later one is due too is passed over: people get the latest. The caller commits."""
    now = now or utcnow()
    if village.phase(now) is not VillagePhase.AFTER:
        return Sent(village, reason="le village n'a pas encore eu lieu : on demande des nouvelles après la journée.")
    # The village's row, locked: two runs at the same moment (the nightly one, a « Relancer
    # maintenant ») feed and ask one after the other, the second seeing what the first wrote.
    db.session.execute(select(Village.id).where(Village.id == village.id).with_for_update(key_share=True))
    db.session.expire(village, ["followup_rounds"])
    followup.feed(village)
    rounds = [r for r in schedule(village) if r.sent_at is None]
    chosen = rounds[0] if at_once and rounds else next((r for r in reversed(rounds) if is_due(r, now)), None)
    if chosen is None:
        upcoming = french_date(rounds[0].due_on) if rounds else None
        return Sent(village, reason=f"rien à envoyer, prochaine relance le {upcoming}." if upcoming
                    else "toutes les relances prévues sont parties.")
    for passed in rounds[:rounds.index(chosen) + 1]:
        passed.sent_at = now
    result = Sent(village, chosen)
    for person, threads, asked_as in _to_ask(village):
        if _ask(chosen, person, threads, asked_as, now):
            if asked_as == Recorder.PORTEUR:
                result.porteurs += 1
            else:
                result.partners += 1
    if at_once:
        audit.record(actor, audit.Action.FOLLOWUP_SENT, village, round=chosen.number,
                     count=result.porteurs + result.partners)
    return result


def send_due(now: datetime | None = None, village: Village | None = None, *, at_once: bool = False) -> list[Sent]:
    """The nightly run (or one village's): each village's due round, committed village by village."""
    results = []
    for each in [village] if village is not None else villages_to_follow(now):
        results.append(send(each, now, at_once=at_once, actor="cli" if at_once else "system"))
        db.session.commit()
    return results


def _to_ask(village: Village) -> list[tuple[Registration, list[NeedThread], str]]:
    """(person, open threads to ask about, as porteur or partner) for this village."""
    at_village = followup.threads_at_villages([village.id])
    open_threads: dict[int, list[NeedThread]] = {}
    for thread in db.session.scalars(select(NeedThread).where(NeedThread.id.in_(at_village), NeedThread.is_open)
                                     .order_by(NeedThread.id)):
        open_threads.setdefault(thread.initiative_id, []).append(thread)
    people = db.session.scalars(select(Registration).where(
        Registration.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.anonymised_at.is_(None), Registration.email.is_not(None),
    ).options(selectinload(Registration.presentation))).all()
    asked = []
    for person in people:
        if person.role == Role.PORTEUR and person.presentation is not None \
                and open_threads.get(person.presentation.initiative_id):
            asked.append((person, open_threads[person.presentation.initiative_id], Recorder.PORTEUR))
    met = _met_porteurs(village)
    for person in people:
        if person.role in followup.PARTNER_ROLES:
            threads = list({t.id: t for porteur in met.get(person.id, []) if porteur.presentation is not None
                            for t in open_threads.get(porteur.presentation.initiative_id, [])}.values())
            if threads:
                asked.append((person, threads, Recorder.PARTNER))
    return [(person, threads, as_) for person, threads, as_ in asked if not followup.has_opted_out(person)]


def _met_porteurs(village: Village) -> dict[int, list[Registration]]:
    """Partner's registration id → the porteurs they met at the village (meetings not cancelled,
    and not said by either person not to have taken place)."""
    met: dict[int, list[Registration]] = {}
    meetings = db.session.scalars(select(Meeting).where(Meeting.village_id == village.id,
                                                        Meeting.cancelled_at.is_(None))
                                  .options(selectinload(Meeting.seats))).all()
    for meeting in meetings:
        if any(seat.took_place is False for seat in meeting.seats) or len(meeting.seats) != 2:
            continue
        first, second = meeting.people
        for porteur, partner in ((first, second), (second, first)):
            if porteur.role == Role.PORTEUR and partner.role in followup.PARTNER_ROLES:
                met.setdefault(partner.id, []).append(porteur)
    return met


def _ask(round_: FollowupRound, person: Registration, threads: list[NeedThread], asked_as: str,
         now: datetime) -> bool:
    """One ask and its e-mail, unless this person was already asked at this round."""
    already = db.session.scalar(select(FollowupAsk.id).where(FollowupAsk.round_id == round_.id,
                                                             FollowupAsk.registration_id == person.id))
    if already is not None:
        return False
    try:
        with db.session.begin_nested():
            ask = FollowupAsk(round=round_, registration=person, asked_as=asked_as, asked_at=now,
                              threads=threads)
            db.session.add(ask)
            db.session.flush()
    except IntegrityError:  # asked meanwhile by another run
        return False
    notifications.followup_asked(person, ask)
    return True

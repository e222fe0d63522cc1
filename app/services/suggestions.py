"""Who a participant should meet at their village, each suggestion with its reason in French.

Computed here, from what people stated, without any download or outside service:
- a support need met by an offer of the same category (both ways);
- a shared thématique or public;
- the same or a neighbouring département;
- porteurs working on the same thématique in another département (to spread an initiative);
- the likeness of their French texts: TF-IDF (scikit-learn) over words folded to lower case
  without accents and stemmed with the Snowball French stemmer, compared by cosine.

Only what others agreed to show is used: a candidate's initiative counts if its holder let
participants see it and an organiser published it; people who refused requests, or did not
agree to appear in the list of participants, are never suggested. Contact details are not
part of a suggestion.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    SUPPORT_KINDS, SUPPORT_NEEDS, Registration, RegistrationStatus, Role, SupportOffer, Village, VillagePhase,
    Visibility,
)
from ..models import initiative_lists as lists
from ..reference import departements
from ..timeutil import local_today, utcnow
from . import notifications
from .meeting_requests import may_be_suggested
from .initiatives import fold

DEFAULT_COUNT = 8
# Weights of what brings two people together; a text likeness counts up to TEXT_WEIGHT.
NEED_MET = 4.0
SHARED_THEMATIQUE = 1.0
SHARED_PUBLIC = 0.5
SAME_DEPARTEMENT = 1.0
NEIGHBOUR_DEPARTEMENT = 0.5
SPREADING = 1.5
TEXT_WEIGHT = 3.0
TEXT_REASON_THRESHOLD = 0.12

STOP_WORDS = set(fold("""
au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m
n s t y ete etre avoir fait faire plus tous tout toutes cette cet afin ainsi aussi chez comme entre leurs sont
est ont sans sous tres mettre mise projet projets action actions initiative initiatives structure
""").split())
WORD = re.compile(r"[a-z]{3,}")
# A Snowball stemmer keeps its word in progress: one per thread (requests run in threads).
_local = threading.local()


def _stemmer():
    if not hasattr(_local, "stemmer"):
        # snowballstemmer loads the stemmers of every language (3 MB): only where suggestions are made.
        import snowballstemmer

        _local.stemmer = snowballstemmer.stemmer("french")
    return _local.stemmer


@dataclass
class Profile:
    """What may be used about one participant, with the words their reasons quote."""

    person: Registration
    name: str  # how others see them: their structure, else their name
    needs: set[str] = field(default_factory=set)
    offers: list[SupportOffer] = field(default_factory=list)
    thematiques: set[str] = field(default_factory=set)
    publics: set[str] = field(default_factory=set)
    departement: str | None = None
    initiative_name: str | None = None
    text: str = ""

    @property
    def offered(self) -> set[str]:
        return {offer.category for offer in self.offers}


@dataclass
class Suggestion:
    person: Registration
    score: float
    reason: str


def for_person(registration: Registration, count: int = DEFAULT_COUNT) -> list[Suggestion]:
    """The people `registration` should meet, best first, each with a one-line reason."""
    people = _participants(registration.village)
    if registration.id not in {p.id for p in people}:
        people.append(registration)
    profiles = {p.id: _profile(p, own=p.id == registration.id) for p in people}
    me = profiles[registration.id]
    others = [profiles[p.id] for p in people if p.id != registration.id and may_be_suggested(p)]
    if not others:
        return []
    texts = _Texts([me.text] + [other.text for other in others])
    found = []
    for number, other in enumerate(others, start=1):
        score, reasons = _why(me, other)
        similarity = texts.likeness(number)
        if similarity >= TEXT_REASON_THRESHOLD:
            score += TEXT_WEIGHT * similarity
            if not reasons:
                reasons.append(texts.reason(me.text, other.text))
        if reasons:
            found.append(Suggestion(other.person, round(float(score), 2), _sentence(reasons)))
    found.sort(key=lambda s: (-s.score, s.person.last_name, s.person.id))
    return found[:count]


def send_due(now=None) -> int:
    """E-mail their suggestions, once, to the confirmed participants of villages due (their
    settings' suggestions_days_before). Returns how many were queued; the caller commits."""
    from .matching_profiles import profile_of
    from .meeting_area import settings_of

    now = now or utcnow()
    sent = 0
    for village in db.session.scalars(select(Village).where(Village.archived_at.is_(None))):
        settings = settings_of(village)
        # From suggestions_days_before days ahead until the day itself: never after it.
        if village.phase(now) is VillagePhase.AFTER or \
                local_today(now) < village.day - timedelta(days=settings.suggestions_days_before):
            continue
        for person in _participants(village):
            profile = profile_of(person)
            if profile.suggestions_sent_at is not None or not person.email:
                continue
            found = for_person(person)
            if found:
                notifications.suggestions(person, found)
                sent += 1
            profile.suggestions_sent_at = now
    return sent


def _participants(village: Village) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.anonymised_at.is_(None))
        .options(selectinload(Registration.support_offers))
        .order_by(Registration.id)
    ))


def _profile(person: Registration, own: bool) -> Profile:
    profile = Profile(person, name=person.structure or person.full_name, offers=list(person.support_offers))
    profile.departement = _departement(person.postcode)
    texts = [person.structure or ""]
    for offer in profile.offers:
        profile.thematiques |= set(offer.thematiques or [])
        profile.publics |= set(offer.publics or [])
        texts.append(offer.details or "")
    if person.matching_profile is not None:
        texts.append(person.matching_profile.comes_for or "")
    version = _shown_version(person, own)
    if version is not None:
        profile.needs = set(version.support_needs or [])
        profile.thematiques |= set(version.thematiques or [])
        profile.publics |= set(version.publics or [])
        profile.departement = version.departement_code or profile.departement
        profile.initiative_name = version.name
        texts += [version.name, version.summary, version.keywords or "", version.experience or "",
                  *(version.support_details or {}).values(), version.sharing_details or ""]
    profile.text = " ".join(filter(None, texts))
    return profile


def _shown_version(person: Registration, own: bool):
    """The initiative as its holder may see it (own), or as they let other participants see it."""
    initiative = person.initiative
    if initiative is None or initiative.anonymised_at is not None:
        return None
    if own:
        return initiative.current
    return initiative.published if initiative.is_shown_to(Visibility.PARTICIPANTS) else None


def _why(me: Profile, other: Profile) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    for offer in other.offers:
        if offer.category in me.needs:
            score += NEED_MET + SHARED_THEMATIQUE * len(me.thematiques & set(offer.thematiques or []))
            reasons.append(f"Vous cherchez : {_need(offer.category)} ; {other.name} propose {_offer(offer)}")
            break
    for offer in me.offers:
        if offer.category in other.needs:
            score += NEED_MET
            about = f" pour « {other.initiative_name} »" if other.initiative_name else ""
            reasons.append(f"{other.name} cherche : {_need(offer.category)}{about}, ce que vous proposez")
            break
    shared_themes = lists.labels(lists.THEMATIQUES, me.thematiques & other.thematiques)
    shared_publics = lists.labels(lists.PUBLICS, me.publics & other.publics)
    score += SHARED_THEMATIQUE * len(shared_themes) + SHARED_PUBLIC * len(shared_publics)
    both_porteurs = me.person.role == other.person.role == Role.PORTEUR
    elsewhere = me.departement and other.departement and me.departement != other.departement
    if both_porteurs and shared_themes and elsewhere:
        score += SPREADING
        reasons.append(f"{other.name} porte une initiative sur le même thème ({_listed(shared_themes)}) "
                       f"dans un autre département ({other.departement}) : de quoi essaimer")
    elif shared_themes or shared_publics:
        reasons.append("Vous travaillez tous deux " + " et ".join(filter(None, [
            f"sur {_listed(shared_themes)}" if shared_themes else "",
            f"auprès des publics : {_listed(shared_publics)}" if shared_publics else "",
        ])))
    if me.departement and other.departement:
        if me.departement == other.departement:
            score += SAME_DEPARTEMENT
            if reasons:
                reasons[-1] += f", dans le même département ({departements.NAMES.get(other.departement, other.departement)})"
        elif other.departement in departements.NEIGHBOURS.get(me.departement, ()):
            score += NEIGHBOUR_DEPARTEMENT
            if reasons:
                reasons[-1] += f", dans un département voisin ({departements.NAMES.get(other.departement, other.departement)})"
    return score, reasons


class _Texts:
    """TF-IDF vectors of the texts of a village's people, to compare the first with the others."""

    def __init__(self, documents: list[str]) -> None:
        # Imported here: scikit-learn takes seconds to load, which every command and worker would pay.
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity

        self.vectorizer = TfidfVectorizer(analyzer=_stems, sublinear_tf=True)
        try:
            self.matrix = self.vectorizer.fit_transform(documents)
        except ValueError:  # nobody wrote anything
            self.matrix = None
        else:
            self.similarities = cosine_similarity(self.matrix[0], self.matrix)[0]

    def likeness(self, number: int) -> float:
        """Cosine of text `number` and the first text (0 when nobody wrote anything)."""
        return 0.0 if self.matrix is None else float(self.similarities[number])

    def reason(self, mine: str, theirs: str) -> str:
        """Name the words the texts share that weigh most in the first one, as people wrote them."""
        shared = set(_stems(mine)) & set(_stems(theirs))
        words = {}
        for word in re.findall(r"[\wÀ-ÿ'-]{3,}", f"{mine} {theirs}"):
            stem = _stem(word)
            if stem in shared and stem not in words:
                words[stem] = word.lower()
        weights = dict(zip(self.vectorizer.get_feature_names_out(), self.matrix[0].toarray()[0]))
        best = sorted(words, key=lambda stem: -weights.get(stem, 0))[:3]
        return f"Vos présentations parlent des mêmes choses ({', '.join(words[s] for s in best)})"


def _stems(text: str) -> list[str]:
    return [_stemmer().stemWord(word) for word in WORD.findall(fold(text)) if word not in STOP_WORDS]


def _stem(word: str) -> str:
    folded = fold(word)
    return _stemmer().stemWord(folded) if folded not in STOP_WORDS else ""


def _departement(postcode: str | None) -> str | None:
    if not postcode or not postcode[:2].isdigit():
        return None
    return postcode[:3] if postcode.startswith("97") else postcode[:2]


def _need(category: str) -> str:
    return SUPPORT_NEEDS.get(category, category).lower()


def _offer(offer: SupportOffer) -> str:
    kind = SUPPORT_KINDS.get(offer.kind, "un appui").lower()
    themes = lists.labels(lists.THEMATIQUES, offer.thematiques)
    text = f"{_article(kind)}{kind}"
    if themes:
        text += f" pour {_listed([t.lower() for t in themes])}"
    if offer.departements:
        text += f" ({', '.join(offer.departements)})"
    return text


def _article(noun: str) -> str:
    feminine = ("subvention", "ingénierie", "mise", "formation")
    return "une " if noun.startswith(feminine) else "un "


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]


def _sentence(reasons: list[str]) -> str:
    return " ; ".join(reasons[:2]) + "."

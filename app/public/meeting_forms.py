"""Forms of the « Rendez-vous » part of the private page: what one offers and wants, a request,
and what came of a meeting."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms_common import options
from ..models import INTENTS, OUTCOMES, SUPPORT_KINDS, SUPPORT_NEEDS
from ..models import initiative_lists as lists
from ..services.meeting_requests import MESSAGE_MAX_LENGTH
from ..forms_initiative import MultiCheckboxField, strip, text

OFFER_ROWS = 3


def departement_codes(form, field) -> None:
    codes = [c for c in re.split(r"[\s,;]+", field.data or "") if c]
    if any(not re.fullmatch(r"\d{2}|2[AB]|97\d", code) for code in codes):
        raise ValidationError("Écrivez des numéros de département séparés par des virgules, par exemple 84, 13.")
    field.data = ", ".join(codes)


class OfferForm(Form):
    class Meta:
        locales = ["fr"]  # WTForms' own messages in French, as FlaskForm does through Flask-Babel

    # Choices checked below: rows left blank are simply not offers.
    category = SelectField("Appui proposé", choices=options(SUPPORT_NEEDS, placeholder=True), validate_choice=False)
    kind = SelectField("Sous quelle forme", choices=options(SUPPORT_KINDS, placeholder=True), validate_choice=False)
    thematiques = MultiCheckboxField("Pour quelles thématiques", choices=options(lists.THEMATIQUES))
    publics = MultiCheckboxField("Pour quels publics", choices=options(lists.PUBLICS))
    departements = text("Départements couverts", 60, validators=[departement_codes],
                        description="Numéros séparés par des virgules (84, 13). Laissez vide : partout.")
    details = text("En quelques mots", 1000, area=True,
                   description="Par exemple : « appel à projets familles, dossier avant mars ».")

    def validate_category(self, field) -> None:
        if field.data and field.data not in SUPPORT_NEEDS:
            raise ValidationError("Choisissez un appui dans la liste.")

    def validate_kind(self, field) -> None:
        if self.category.data and field.data not in SUPPORT_KINDS:
            raise ValidationError("Indiquez sous quelle forme vous apportez cet appui.")

    def values(self) -> dict | None:
        if not self.category.data:
            return None
        return {
            "category": self.category.data, "kind": self.kind.data,
            "thematiques": self.thematiques.data or [], "publics": self.publics.data or [],
            "departements": [c for c in (self.departements.data or "").split(", ") if c],
            "details": self.details.data or "",
        }


def offer_rows(shown: int) -> FieldList:
    """`shown` blank rows at first; as many as the person already has, up to OFFER_ROWS."""
    return FieldList(FormField(OfferForm), min_entries=shown, max_entries=OFFER_ROWS)


class MatchingStatement:
    """What a person comes for and, for institutionnels and élus, what their organisation offers:
    asked on the preferences page, and optionally when registering (with fewer offer rows)."""

    comes_for = text("Ce que je viens chercher au village", 1000, area=True,
                     description="En quelques mots : rencontrer qui, apprendre quoi, partager quoi.")
    offers = offer_rows(OFFER_ROWS)

    def offer_values(self) -> list[dict]:
        return [values for entry in self.offers if (values := entry.form.values()) is not None]


def statement_answers(registration) -> dict:
    """A registration's MatchingStatement answers, as the form's initial data."""
    profile = registration.matching_profile
    return {
        "comes_for": profile.comes_for if profile else "",
        "offers": [{"category": o.category, "kind": o.kind, "thematiques": o.thematiques, "publics": o.publics,
                    "departements": ", ".join(o.departements or []), "details": o.details}
                   for o in registration.support_offers],
    }


class PreferencesForm(MatchingStatement, FlaskForm):
    accepts_requests = BooleanField("J'accepte de recevoir des demandes de rendez-vous")
    available_from = SelectField("Disponible à partir de", validators=[Optional()])
    available_until = SelectField("Disponible jusqu'à", validators=[Optional()])

    def validate_available_until(self, field) -> None:
        if self.available_from.data and field.data and field.data <= self.available_from.data:
            raise ValidationError("L'heure de fin doit venir après l'heure de début.")


class MeetingRequestForm(FlaskForm):
    intent = RadioField("Ce que vous attendez de ce rendez-vous", choices=options(INTENTS),
                        validators=[InputRequired(message="Choisissez ce que vous attendez de ce rendez-vous.")])
    message = TextAreaField("Un mot pour vous présenter (facultatif)", filters=[strip],
                            validators=[Length(max=MESSAGE_MAX_LENGTH,
                                               message=f"{MESSAGE_MAX_LENGTH} caractères au maximum.")])


class OutcomeForm(FlaskForm):
    took_place = RadioField("Le rendez-vous a-t-il eu lieu ?", choices=options({"oui": "Oui", "non": "Non"}),
                            validators=[InputRequired(message="Dites si le rendez-vous a eu lieu.")])
    outcomes = MultiCheckboxField("Ce qui en est sorti", choices=options(OUTCOMES))
    outcome_note = text("Précisions (facultatif)", 1000, area=True)

"""The registration form: the same for a new registration and for changing one's details.

Questions specific to a role are grouped (ROLE_FIELDS); only the chosen role's group is
validated and kept, since without JavaScript every group is shown. A new registration is
bound to a form without the other groups (NewRegistrationForm.for_submission). To add fields
(consents, honeypot…), subclass or add them to RegistrationForm; `registration_fields()` hands
the service every field named like a Registration column.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, TelField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..forms_common import ConsentsMixin, FilledIn, FrenchMessagesOnce, HoneypotMixin, options
from ..forms_initiative import InitiativeConsentFields, InitiativeEssentials, fiche_answers, strip, text
from ..models import Registration, Role
from ..services.initiatives import STAND_FIELDS
from ..services.registration import InitiativeChoice
from ..services.matching_profiles import OFFERING_ROLES
from ..services.privacy import CONSENTS
from ..text import Civility
from .meeting_forms import MatchingStatement, offer_rows

YES_NO = {"oui": "Oui", "non": "Non"}
CIVILITY_CHOICES = {**{civility.value: civility.label for civility in Civility}, "": "Je préfère ne pas le dire"}


def phone_number(form, field) -> None:
    value = field.data or ""
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[0-9+ .()\-]+", value) or not 9 <= len(digits) <= 15:
        raise ValidationError("Ce numéro de téléphone n'est pas valide (par exemple 06 12 34 56 78).")


class RegistrationForm(FrenchMessagesOnce, InitiativeEssentials, InitiativeConsentFields, FlaskForm):
    role = RadioField(
        "Vous venez en tant que",
        choices=options({role.value: role.label for role in Role}),
        validators=[InputRequired(message="Indiquez à quel titre vous venez.")],
    )
    civility = RadioField(
        "Vous êtes (facultatif)", choices=options(CIVILITY_CHOICES), default="",
        description="Pour écrire votre rôle au féminin ou au masculin, sur votre badge et dans nos messages.",
    )
    first_name = text("Prénom", 100, required="Indiquez votre prénom.")
    last_name = text("Nom", 100, required="Indiquez votre nom.")
    email = EmailField(
        "Adresse e-mail",
        [
            FilledIn(message="Indiquez votre adresse e-mail."),
            Length(max=254, message="254 caractères au maximum."),
            Email(message="Cette adresse e-mail n'est pas valide (par exemple prenom.nom@exemple.fr)."),
        ],
        filters=[strip],
        description="Nous y envoyons votre confirmation et votre badge.",
    )
    phone = TelField(
        "Téléphone (facultatif)",
        [Optional(), Length(max=30, message="30 caractères au maximum."), phone_number],
        filters=[strip],
        description="Seulement pour vous joindre en cas d'imprévu le jour du village.",
    )
    commune = text("Commune", 120, description="Votre commune, ou à défaut votre code postal ci-dessous.")
    postcode = text("Code postal (facultatif)", 10)

    lunch = RadioField(
        "Déjeunerez-vous sur place ?", choices=options(YES_NO),
        validators=[InputRequired(message="Indiquez si vous déjeunez sur place.")],
    )
    dietary_needs = text(
        "Régime alimentaire (facultatif)", 300,
        description="Par exemple : végétarien, sans porc, allergie aux arachides.",
    )
    accessibility_needs = text(
        "Besoin d'aménagement pour votre venue (facultatif)", 500, area=True,
        description="Par exemple : accès en fauteuil, place assise, interprète en langue des signes.",
    )

    # Porteur d'initiative: the essentials of the « fiche initiative » (forms_initiative.py), and
    # the stand at this village.
    wants_stand = BooleanField("Je souhaite tenir un stand pour présenter l'initiative")
    stand_table = BooleanField("J'aurai besoin d'une table")
    stand_electricity = BooleanField("J'aurai besoin d'une prise électrique")

    # Institutionnel
    institution = text("Organisme", 200, description="Par exemple : Caf du Var, Conseil départemental.")
    position = text("Fonction ou service (facultatif)", 200)
    # Élu local
    collectivity = text("Collectivité", 200, description="Par exemple : commune de Sisteron.")
    mandate = text("Mandat", 200, description="Par exemple : adjointe aux solidarités.")
    # Représentant d'habitants ou d'usagers
    represented_group = text(
        "Groupe ou association représenté (facultatif)", 200,
        description="Par exemple : conseil citoyen, comité de quartier, association d'usagers.",
    )

    ROLE_FIELDS = {
        Role.PORTEUR: (
            *InitiativeEssentials.ESSENTIAL_FIELDS, "visibility", "show_holder_contact",
            "wants_stand", "stand_table", "stand_electricity",
        ),
        Role.INSTITUTIONNEL: ("institution", "position"),
        Role.ELU: ("collectivity", "mandate"),
        Role.HABITANT: ("represented_group",),
    }
    ROLE_REQUIRED = {
        "initiative_name": "Indiquez le nom de votre initiative.",
        "initiative_summary": "Présentez votre initiative en quelques lignes.",
        "institution": "Indiquez votre organisme.",
        "collectivity": "Indiquez votre collectivité.",
        "mandate": "Indiquez votre mandat.",
    }

    def __init__(self, *args, lunch_offered: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not lunch_offered:
            del self.lunch
            del self.dietary_needs

    def validate_postcode(self, field) -> None:
        if field.data and not re.fullmatch(r"\d{5}", field.data):
            raise ValidationError("Le code postal comporte 5 chiffres (par exemple 04200).")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for name in self._other_roles_fields(self.role.data):
            if name in self:  # not in a form bound to one role (NewRegistrationForm.for_submission)
                self[name].errors = []
        for name in self.ROLE_FIELDS.get(self.role.data, ()):
            if name in self.ROLE_REQUIRED and not self[name].data and not self[name].errors:
                self[name].errors.append(self.ROLE_REQUIRED[name])
        if not self.commune.data and not self.postcode.data and not self.commune.errors:
            self.commune.errors.append("Indiquez votre commune ou votre code postal.")
        return not self.errors

    @classmethod
    def _other_roles_fields(cls, chosen: str | None) -> set[str]:
        return {name for role, names in cls.ROLE_FIELDS.items() if role != chosen for name in names}

    @property
    def chosen_role(self) -> str | None:
        return self.role.data if self.role.data in self.ROLE_FIELDS else None

    def registration_fields(self) -> dict[str, Any]:
        """The answers, named as Registration's columns; other roles' answers are dropped."""
        role = self.role.data
        organisation = {Role.PORTEUR: "structure", Role.INSTITUTIONNEL: "institution"}.get(role)
        fields = {
            "role": role,
            "civility": self.civility.data or None,
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "email": self.email.data,
            "phone": self.phone.data or None,
            "commune": self.commune.data or "",
            "postcode": self.postcode.data or None,
            "accessibility_needs": self.accessibility_needs.data or None,
            "organisation": (self[organisation].data or None) if organisation else None,
            "position": (self.position.data or None) if role == Role.INSTITUTIONNEL else None,
            "collectivity": (self.collectivity.data or None) if role == Role.ELU else None,
            "mandate": (self.mandate.data or None) if role == Role.ELU else None,
            "represented_group": (self.represented_group.data or None) if role == Role.HABITANT else None,
        }
        if "lunch" in self:
            fields["lunch"] = self.lunch.data == "oui"
            fields["dietary_needs"] = (self.dietary_needs.data or None) if fields["lunch"] else None
        # Consents are not details: they are recorded with their wording's version (form.consents()).
        extra_columns = set(Registration.__table__.columns.keys()) - set(fields) - set(CONSENTS)
        fields.update({name: self[name].data for name in extra_columns if name in self})
        return fields

    def initiative_fields(self) -> InitiativeChoice | None:
        """What a project holder presents at this village (None for other roles)."""
        if self.role.data != Role.PORTEUR:
            return None
        return InitiativeChoice(
            fiche=self.fiche(),
            stand={name: bool(self[name].data) for name in STAND_FIELDS},
            visibility=self.visibility.data or None,
            show_holder_contact=bool(self.show_holder_contact.data),
            consent_given=bool(self.visibility.data),
        )


def answers_of(registration: Registration) -> dict[str, Any]:
    """A registration's details as the form's initial answers (to change them)."""
    answers = {
        name: getattr(registration, name)
        for name in (
            "role", "first_name", "last_name", "email", "phone", "commune", "postcode", "dietary_needs",
            "accessibility_needs", "position", "collectivity", "mandate", "represented_group",
        )
    }
    answers.update({name: getattr(registration, name) for name in CONSENTS})
    answers["lunch"] = "oui" if registration.lunch else "non"
    answers["civility"] = registration.civility or ""
    answers["structure" if registration.role == Role.PORTEUR else "institution"] = registration.organisation
    presentation = registration.presentation
    if presentation is not None:
        initiative = presentation.initiative
        answers.update(fiche_answers(initiative.current))
        answers.update({name: getattr(presentation, name) for name in STAND_FIELDS})
        answers.update(visibility=initiative.visibility, show_holder_contact=initiative.show_holder_contact)
    return answers


class NewRegistrationForm(HoneypotMixin, ConsentsMixin, MatchingStatement, RegistrationForm):
    """The public registration form: the details, what one comes for and offers (optional, more
    from the private link later), then the optional consents; plus a honeypot."""

    offers = offer_rows(1)  # one blank row keeps the form short on a phone

    @classmethod
    def for_submission(cls, role: str | None) -> type[NewRegistrationForm]:
        """The form a submission choosing `role` is bound to: this one without the other roles'
        questions (binding all of them was a quarter of a registration's time). It keeps the
        answers the whole form keeps; the whole form is the one shown, with every role's questions."""
        return cls._for_role(Role(role)) if role in cls.ROLE_FIELDS else cls

    @classmethod
    @functools.cache
    def _for_role(cls, role: Role) -> type[NewRegistrationForm]:
        unasked = cls._other_roles_fields(role) - set(cls.ROLE_FIELDS[role])
        if role not in OFFERING_ROLES:
            unasked.add("offers")
        # WTForms leaves out of a subclass the fields it sets to None.
        return type(f"{cls.__name__}For{role.name.title()}", (cls,), dict.fromkeys(unasked))

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # Only institutionnels and élus state offers (a form bound to another role has none).
        if self.role.data not in OFFERING_ROLES and "offers" in self:
            self.offers.errors = []
            for entry in self.offers:
                for field in entry.form:
                    field.errors = []
        return not self.errors

    def matching_statement(self) -> tuple[str, list[dict]]:
        """What the person comes for, and their offers (none unless they offer support)."""
        offers = self.offer_values() if self.role.data in OFFERING_ROLES else []
        return self.comes_for.data or "", offers


class EditRegistrationForm(ConsentsMixin, RegistrationForm):
    """A participant's own details and consents, changed from the private link."""

"""The « fiche initiative » as form fields, shared by registration, the holder's page and the back office.

InitiativeEssentials holds the questions asked when registering (short, on a phone);
FicheForm adds every other field of the SENACS fiche, for the holder's own page and for
organisers. `fiche()` names the answers as InitiativeVersion's columns.
"""
from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .forms_common import FilledIn, options
from .models import InitiativeVersion
from .models import initiative_lists as lists
from .reference import communes
from .services.initiatives import CONSENT_WORDING
from .text import one_line

SUMMARY_MAX = 2000
LONG_TEXT_MAX = 5000
DETAIL_MAX = 500


def strip(value):
    return value.strip() if isinstance(value, str) else value


def text(label: str, max_length: int, *, required: str | None = None, area: bool = False, **options):
    """A text field trimmed of spaces, limited to its column's length, required if a message is given."""
    validators = [FilledIn(message=required) if required else Optional()]
    validators.append(Length(max=max_length, message=f"{max_length} caractères au maximum."))
    field_class = TextAreaField if area else StringField
    return field_class(label, validators + options.pop("validators", []), filters=[strip if area else one_line],
                       **options)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        if self.data and set(self.data) - {value for value, *_ in self.choices}:
            raise ValidationError("Choisissez parmi les réponses proposées.")


def web_address(form, field) -> None:
    if field.data and not re.fullmatch(r"https?://[^\s<>\"]+\.[^\s<>\"]+", field.data):
        raise ValidationError("Indiquez une adresse complète, par exemple https://exemple.fr.")


class InitiativeEssentials:
    structure = text("Structure porteuse (facultatif)", 200, description="Association, centre social, collectif…")
    initiative_name = text("Nom de l'initiative", 200)
    initiative_summary = text(
        "Présentation en quelques lignes", SUMMARY_MAX, area=True,
        description="Ce que fait l'initiative, pour qui, avec qui.",
    )
    stage = RadioField("Où en est l'initiative ?", choices=options(lists.STAGES), validators=[Optional()])
    thematiques = MultiCheckboxField("Thèmes (facultatif)", choices=options(lists.THEMATIQUES),
                                     validators=[Optional()])
    publics = MultiCheckboxField("Public concerné (facultatif)", choices=options(lists.PUBLICS),
                                 validators=[Optional()])
    initiative_commune = text(
        "Commune où se déroule l'initiative (facultatif)", 130,
        description="Par exemple : Sisteron, ou Sisteron (04) si plusieurs communes portent ce nom.",
    )
    support_needs = MultiCheckboxField(
        "Sur quoi aimeriez-vous être appuyé ? (facultatif)", choices=options(lists.SUPPORT_NEEDS),
        validators=[Optional()],
    )
    sharing_offers = MultiCheckboxField(
        "Que pouvez-vous partager avec d'autres ? (facultatif)", choices=options(lists.SHARING_OFFERS),
        validators=[Optional()],
    )

    ESSENTIAL_FIELDS = (
        "structure", "initiative_name", "initiative_summary", "stage", "thematiques", "publics",
        "initiative_commune", "support_needs", *(f"support_detail_{key}" for key in lists.SUPPORT_NEEDS),
        "sharing_offers",
    )

    def validate_initiative_commune(self, field) -> None:
        if field.data:
            try:
                self._commune = communes.find(field.data)
            except communes.UnknownCommune as unknown:
                raise ValidationError(str(unknown))

    def support_detail_fields(self) -> list:
        return [self[f"support_detail_{key}"] for key in lists.SUPPORT_NEEDS]

    def fiche(self) -> dict[str, Any]:
        """The answers present in this form, named as InitiativeVersion's columns."""
        needs = list(self.support_needs.data or [])
        fiche = {
            "name": self.initiative_name.data,
            "structure": self.structure.data or "",
            "summary": self.initiative_summary.data or "",
            "stage": self.stage.data or None,
            "thematiques": list(self.thematiques.data or []),
            "publics": list(self.publics.data or []),
            "support_needs": needs,
            "support_details": {
                key: self[f"support_detail_{key}"].data for key in needs if self[f"support_detail_{key}"].data
            },
            "sharing_offers": list(self.sharing_offers.data or []),
        }
        commune = getattr(self, "_commune", None) if self.initiative_commune.data else None
        fiche.update(
            commune_name=commune.name if commune else None,
            commune_code=commune.code if commune else None,
            departement_code=commune.departement if commune else None,
        )
        fiche.update({column: self[name].data or None for name, column in self.MORE_FIELDS.items() if name in self})
        return fiche

    MORE_FIELDS: dict[str, str] = {}


for _key, _label in lists.SUPPORT_NEEDS.items():
    setattr(InitiativeEssentials, f"support_detail_{_key}",
            text(f"Précisez votre besoin : {_label.lower()} (facultatif)", DETAIL_MAX))


def fiche_answers(version: InitiativeVersion | None) -> dict[str, Any]:
    """A version's fiche as the forms' initial answers."""
    if version is None:
        return {}
    answers = {
        "structure": version.structure, "initiative_name": version.name, "initiative_summary": version.summary,
        "stage": version.stage, "thematiques": version.thematiques, "publics": version.publics,
        "initiative_commune": version.territory_label if version.commune_code else "",
        "support_needs": version.support_needs, "sharing_offers": version.sharing_offers,
    }
    answers.update({f"support_detail_{key}": detail for key, detail in (version.support_details or {}).items()})
    answers.update({name: getattr(version, column) for name, column in FicheForm.MORE_FIELDS.items()})
    answers["territory_scale"] = version.territory_scale or ""
    answers["dimension"] = version.dimension or ""
    answers["initiators"] = version.initiators
    return answers


class InitiativeConsentFields:
    """Who may see the initiative: nothing chosen in advance (RGPD)."""

    visibility = RadioField(CONSENT_WORDING["visibility"], choices=options(lists.VISIBILITIES),
                            validators=[Optional()])
    show_holder_contact = BooleanField(CONSENT_WORDING["show_holder_contact"], default=False)


class FicheForm(InitiativeEssentials, FlaskForm):
    """Every field of the fiche: the holder's own page and the back office."""

    dimension = SelectField("Dimension (facultatif)", choices=options(lists.DIMENSIONS, placeholder=True),
                            validators=[Optional()])
    keywords = text("Mots-clés (facultatif)", 300, description="Séparés par des virgules.")
    initiators = MultiCheckboxField("Qui est à l'initiative de l'action ? (facultatif)",
                                    choices=options(lists.INITIATORS), validators=[Optional()])
    experience = text("Description de l'expérience, ses objectifs, ses acteurs et ses phases (facultatif)",
                      LONG_TEXT_MAX, area=True)
    territory_scale = SelectField("Territoire concerné (facultatif)",
                                  choices=options(lists.TERRITORY_SCALES, placeholder=True), validators=[Optional()])
    territory_detail = text("Précisions sur le territoire (facultatif)", 300,
                            description="Par exemple : quartier du Gand, communauté de communes du Sisteronais.")
    public_detail = text("Précisions sur le public (facultatif)", 300)
    partners = text("Partenaires (facultatif)", LONG_TEXT_MAX, area=True,
                    description="Par exemple : Caf, Conseil départemental, commune, association locale.")
    resources = text("Ressources mobilisées : budget, personnes (facultatif)", LONG_TEXT_MAX, area=True)
    results_territory = text("Résultats pour le territoire (facultatif)", LONG_TEXT_MAX, area=True)
    results_structure = text("Résultats pour la structure (facultatif)", LONG_TEXT_MAX, area=True)
    results_inhabitants = text("Résultats pour les habitants (facultatif)", LONG_TEXT_MAX, area=True)
    limits = text("Limites (facultatif)", LONG_TEXT_MAX, area=True)
    perspectives = text("Perspectives (facultatif)", LONG_TEXT_MAX, area=True)
    initiative_website = text("Site internet (facultatif)", 300, validators=[web_address])
    sharing_details = text("Précisions sur ce que vous pouvez partager (facultatif)", LONG_TEXT_MAX, area=True)

    MORE_FIELDS = {
        "dimension": "dimension", "keywords": "keywords", "experience": "experience",
        "territory_scale": "territory_scale", "territory_detail": "territory_detail",
        "public_detail": "public_detail", "partners": "partners", "resources": "resources",
        "results_territory": "results_territory", "results_structure": "results_structure",
        "results_inhabitants": "results_inhabitants", "limits": "limits", "perspectives": "perspectives",
        "initiative_website": "website", "sharing_details": "sharing_details",
    }

    def fiche(self) -> dict[str, Any]:
        return {**super().fiche(), "initiators": list(self.initiators.data or [])}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.initiative_name.data and not self.initiative_name.errors:
            self.initiative_name.errors.append("Indiquez le nom de votre initiative.")
            valid = False
        return valid


class HolderFicheForm(InitiativeConsentFields, FicheForm):
    """The holder's own page: the fiche and who may see it."""


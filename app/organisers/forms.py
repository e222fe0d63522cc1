"""The back office's forms. WTForms messages are in French through Flask-Babel."""
import re

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms_common import FilledIn, options
from ..models import SUPPORT_NEEDS, OrganiserRole, Role
from ..services import form_keys, participant_messages as messages
from ..services.registration import ROLE_FIELDS
from ..text import Civility, one_line

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = FilledIn(message="Ce champ est obligatoire.")
EMAIL = Email(message="Cette adresse e-mail n'est pas valide.")


def optional_text(label: str, max_length: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)], filters=[one_line], **kwargs)


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[REQUIRED], render_kw={"autocomplete": "username"})
    password = PasswordField("Mot de passe", validators=[REQUIRED], render_kw={"autocomplete": "current-password"})
    code = StringField(
        "Code de vérification", validators=[Optional(), Length(max=10)],
        description="Seulement si vous avez activé la double authentification : le code à 6 chiffres "
                    "de votre application.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgottenPasswordForm(FlaskForm):
    email = EmailField("Adresse e-mail de votre compte", validators=[REQUIRED, Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Nouveau mot de passe", validators=[REQUIRED, Length(min=10, message="Au moins 10 caractères.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirmation = PasswordField(
        "Le même, une seconde fois",
        validators=[REQUIRED, EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")],
        render_kw={"autocomplete": "new-password"},
    )


class TotpCodeForm(FlaskForm):
    code = StringField("Code à 6 chiffres affiché par l'application", validators=[REQUIRED, Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    name = optional_text("Nom", 200)
    role = SelectField("Accès", choices=options({r.value: r.label for r in OrganiserRole}))
    active = BooleanField("Compte actif", default=True)
    village_ids = MultiCheckboxField(
        "Villages confiés (comptes d'accueil)", coerce=int,
        description="Un compte d'accueil ne voit que l'accueil de ces villages.",
    )
    password = PasswordField(
        "Nouveau mot de passe", validators=[Optional(), Length(min=10, message="Au moins 10 caractères.")],
        description="Laisser vide pour ne pas le changer.",
    )


class NewAccountForm(AccountForm):
    email = EmailField("Adresse e-mail", validators=[REQUIRED, EMAIL, Length(max=254)])
    password = PasswordField(
        "Mot de passe", validators=[REQUIRED, Length(min=10, message="Au moins 10 caractères.")],
        description="À transmettre à la personne, qui pourra le garder ou demander à le changer.",
    )


class VillageForm(FlaskForm):
    name = StringField("Nom du village", validators=[REQUIRED, Length(max=200)], filters=[one_line])
    slug = StringField(
        "Adresse courte", validators=[REQUIRED, Length(max=80)],
        description="Lettres minuscules, chiffres et tirets : elle apparaît dans l'adresse de la page publique.",
    )
    town = StringField("Ville", validators=[REQUIRED, Length(max=120)], filters=[one_line])
    venue = StringField("Lieu", validators=[REQUIRED, Length(max=200)], filters=[one_line])
    address = StringField("Adresse", validators=[REQUIRED, Length(max=300)], filters=[one_line])
    day = DateField("Date", validators=[REQUIRED])
    starts_at = TimeField("Heure de début", validators=[REQUIRED])
    ends_at = TimeField("Heure de fin", validators=[REQUIRED])
    capacity = IntegerField(
        "Nombre de places", validators=[REQUIRED, NumberRange(min=0, message="Le nombre de places ne peut pas être négatif.")]
    )
    registration_opens_at = DateTimeLocalField(
        "Ouverture des inscriptions", validators=[Optional()], description="Vide : dès maintenant."
    )
    registration_closes_at = DateTimeLocalField(
        "Clôture des inscriptions", validators=[Optional()], description="Vide : jusqu'au début du village."
    )
    lunch_offered = BooleanField("Déjeuner proposé")
    contact_email = EmailField("E-mail de contact", validators=[Optional(), EMAIL, Length(max=254)])
    description = TextAreaField("Présentation", validators=[Optional()])
    programme = TextAreaField("Programme", validators=[Optional()])
    practical_info = TextAreaField("Informations pratiques", validators=[Optional()])

    def validate_slug(self, field):
        field.data = (field.data or "").strip().lower()
        if not SLUG_PATTERN.match(field.data):
            raise ValidationError("Utilisez seulement des lettres minuscules sans accent, des chiffres et des tirets.")

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("L'heure de fin doit être après l'heure de début.")

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError("La clôture doit être après l'ouverture des inscriptions.")


def quota_field_name(role: str) -> str:
    return f"quota_{role}"


# One optional quota per participant role, checked against the village's capacity.
for _role in Role:
    setattr(
        VillageForm,
        quota_field_name(_role),
        IntegerField(
            f"Places réservées au plus aux {_role.several.lower()}",
            validators=[Optional(), NumberRange(min=0, message="Un quota ne peut pas être négatif.")],
            description="Vide : pas de limite propre à ce rôle.",
        ),
    )


def quota_fields(form: VillageForm) -> list:
    return [form[quota_field_name(role)] for role in Role]


def validate_quotas(form: VillageForm) -> bool:
    """Quotas may not exceed the capacity; adds the French error next to each offending field."""
    valid = True
    for field in quota_fields(form):
        if field.data is not None and form.capacity.data is not None and field.data > form.capacity.data:
            field.errors = list(field.errors) + ["Le quota ne peut pas dépasser le nombre de places du village."]
            valid = False
    return valid


class RegistrationForm(FlaskForm):
    # Not said (None) is the blank choice.
    civility = SelectField("Madame ou Monsieur", choices=options(
        {"": "Non précisé", **{civility.value: civility.label for civility in Civility}}),
        filters=[lambda value: value or ""])
    first_name = StringField("Prénom", validators=[REQUIRED, Length(max=100)], filters=[one_line])
    last_name = StringField("Nom", validators=[REQUIRED, Length(max=100)], filters=[one_line])
    email = EmailField("Adresse e-mail", validators=[Optional(), EMAIL, Length(max=254)])
    phone = optional_text("Téléphone", 30)
    commune = optional_text("Commune", 120)
    postcode = optional_text("Code postal", 10)
    organisation = optional_text("Structure", 200)
    position = optional_text("Fonction, service", 200)
    collectivity = optional_text("Collectivité", 200)
    mandate = optional_text("Mandat", 200)
    represented_group = optional_text("Groupe représenté", 200)
    lunch = BooleanField("Déjeuner")
    dietary_needs = optional_text("Régime alimentaire", 300)
    accessibility_needs = TextAreaField("Besoins d'accessibilité", validators=[Optional(), Length(max=500)])

    COMMON = (
        "civility", "first_name", "last_name", "email", "phone", "commune", "postcode", "lunch", "dietary_needs",
        "accessibility_needs",
    )

    def changes_from(self, registration) -> dict:
        """The submitted values that differ from the registration's, blanks stored as None.

        Only the questions of the person's role are on the form: the others are left as they are.
        """
        changes = {}
        for name in self.COMMON + ROLE_FIELDS[Role(registration.role)]:
            value = self[name].data
            if isinstance(value, str):
                value = value.strip() or None
            current = getattr(registration, name)
            if name == "commune":
                value = value or ""
            if value != current:
                changes[name] = value
        return changes


class RoleForm(FlaskForm):
    role = SelectField("Accès", choices=options({r.value: r.label for r in Role}))


class ExceptionalEntryForm(FlaskForm):
    """An entry recorded by an organiser outside the village's day (checkin.record_exceptional_entry)."""

    reason = StringField("Raison", validators=[DataRequired(message=REQUIRED.message), Length(max=300)],
                         filters=[one_line],
                         description="Par exemple : venue le jour du village, badge non scanné "
                                     "(téléphone sans réseau).")


class ParticipantMessageForm(FlaskForm):
    """Who receives an organiser's message, and what it says (app/services/participant_messages.py)."""

    roles = MultiCheckboxField("Rôles", choices=options({r.value: r.label for r in Role}),
                               description="Aucun coché : tous les rôles.")
    status = SelectField("Statut de l'inscription", choices=options(messages.STATUSES))
    presence = SelectField("Présence le jour J", choices=options(messages.PRESENCE))
    need = SelectField("Besoin d'appui exprimé", choices=options({"": "Peu importe", **SUPPORT_NEEDS}))
    lunch = SelectField("Déjeuner réservé", choices=options(messages.YES_NO))
    purpose = RadioField("Nature du message", choices=options(messages.PURPOSES), default="service")
    subject = StringField("Objet", validators=[REQUIRED, Length(max=150)])
    body = TextAreaField(
        "Message", validators=[REQUIRED, Length(max=10000)],
        description=Markup(
            "Le message commence par « Bonjour » et le prénom (sauf s'il salue lui-même), et se termine par "
            "le lien personnel. Vous pouvez écrire <code>{prénom}</code>, <code>{nom}</code>, <code>{village}</code>, "
            "<code>{date}</code> ou <code>{lien}</code> : chaque personne y lit ses propres informations. "
            "Un mot qui s'accorde s'écrit au masculin et au féminin, par exemple <code>{venu/venue}</code> : "
            "chaque personne le lit comme elle a demandé qu'on s'adresse à elle (« venue », « venu », "
            "ou « venu ou venue » si elle ne l'a pas dit)."),
    )
    with_certificate = BooleanField("Joindre l'attestation de présence (envoyé alors aux seuls présents)")
    send_key = HiddenField(default=form_keys.new_send_key, validators=[Regexp(
        form_keys.SEND_KEY, message="Ce formulaire a expiré : relisez le message puis envoyez-le à nouveau.")])

    def audience(self) -> messages.Audience:
        return messages.Audience(
            roles=self.roles.data or [], status=self.status.data, presence=self.presence.data,
            need=self.need.data, lunch=self.lunch.data, purpose=self.purpose.data,
        )


class SurveyQuestionsForm(FlaskForm):
    ratings = TextAreaField(
        "Questions notées de 1 à 5", validators=[Optional(), Length(max=3000)],
        description="Une question par ligne. Réponses : pas du tout, peu, moyennement, beaucoup, tout à fait.",
    )
    open_questions = TextAreaField(
        "Questions à réponse libre", validators=[Optional(), Length(max=3000)],
        description="Une question par ligne.",
    )

    @staticmethod
    def lines(text: str | None) -> list[str]:
        return [line.strip()[:300] for line in (text or "").splitlines() if line.strip()]


class MeetingAreaForm(FlaskForm):
    """A village's meeting area and its rules for requests (app/services/meeting_area.py)."""

    area_starts_at = TimeField("Ouverture de l'espace de rendez-vous", validators=[InputRequired()])
    area_ends_at = TimeField("Fermeture", validators=[InputRequired()])
    slot_minutes = IntegerField("Durée d'un rendez-vous (minutes)", validators=[InputRequired(), NumberRange(5, 120)])
    breaks = StringField("Pauses", validators=[Optional(), Length(max=200)],
                         description="Par exemple : 11 h – 11 h 20, 12 h 30 – 14 h")
    tables = IntegerField("Nombre de tables", validators=[InputRequired(), NumberRange(0, 500)])
    max_requests_received = IntegerField("Demandes qu'une personne peut recevoir au plus",
                                         validators=[InputRequired(), NumberRange(1, 100)])
    suggestions_days_before = IntegerField("Envoyer les suggestions par e-mail, jours avant le village",
                                           validators=[InputRequired(), NumberRange(0, 60)])


def ask_rule_field_name(role: Role) -> str:
    return f"ask_{role.value}"


for _role in Role:
    setattr(MeetingAreaForm, ask_rule_field_name(_role), MultiCheckboxField(
        f"Les {_role.several.lower()} peuvent demander un rendez-vous aux",
        choices=options({r.value: r.several.lower() for r in Role}),
    ))

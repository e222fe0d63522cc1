"""Form parts shared by the forms.

A honeypot catches the robots that fill every field they find: a text field hidden from
sight (and from screen readers and the keyboard) whose label asks people to leave it empty.
A submission that fills it is dropped without a word: the robot gets the same neutral answer
as everyone, and nothing is written.

    class RegistrationForm(HoneypotMixin, FlaskForm): ...

    if form.is_from_a_robot():
        return render_template("security/received.html"), 200
    {% from "security/_honeypot.html" import honeypot %} … {{ honeypot(form) }}

ConsentsMixin adds the optional consents (RGPD), never ticked in advance, named as
Registration's columns; the same questions let a participant withdraw (or give) them later.
"""
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, StopValidation
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta

from .services.privacy import CONSENTS

HONEYPOT_LABEL = "Ne remplissez pas ce champ : il sert à repérer les envois automatiques."


class HoneypotMixin:
    # A name robots like to fill; browsers do not autofill it (autocomplete="off").
    website = StringField(
        HONEYPOT_LABEL, render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    def is_from_a_robot(self) -> bool:
        return bool(self.website.data)


class FrenchMessagesOnce:
    """WTForms' own messages in French, as Flask-WTF gives them through Flask-Babel, but read
    once per process: Flask-WTF reads its catalogue again at each request (a twentieth of a
    registration's time)."""

    class Meta:
        locales = ("fr",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class ConsentsMixin:
    consent_photos = BooleanField(CONSENTS["consent_photos"], default=False)
    consent_listing = BooleanField(CONSENTS["consent_listing"], default=False)
    consent_news = BooleanField(CONSENTS["consent_news"], default=False)

    def consent_fields(self) -> list:
        return [self[name] for name in CONSENTS]

    def consents(self) -> dict[str, bool]:
        """The consents given, named as Registration's columns."""
        return {name: bool(self[name].data) for name in CONSENTS}


def options(choices: dict[str, str] | list[str], *, placeholder: bool = False) -> list[SelectChoice]:
    """Choices from {value: label} or from labels that are their own value."""
    pairs = choices.items() if isinstance(choices, dict) else ((label, label) for label in choices)
    return ([SelectChoice("", "— Choisir —")] if placeholder else []) + [
        SelectChoice(value, label) for value, label in pairs
    ]


class FilledIn(InputRequired):
    """Required, and more than spaces or line breaks: a text of blanks is no answer (InputRequired
    lets it through, and what reads the field then finds nothing)."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("This field is required."))

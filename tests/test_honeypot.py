"""The honeypot: a field people are told to leave empty, that robots fill."""
from flask import render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from app.forms_common import HONEYPOT_LABEL, HoneypotMixin


class ContactForm(HoneypotMixin, FlaskForm):
    name = StringField("Nom")


def rendered(form) -> str:
    return render_template_string(
        '{% from "security/_honeypot.html" import honeypot %}{{ honeypot(form) }}', form=form
    )


def test_people_leave_it_empty_and_pass(app):
    with app.test_request_context(method="POST"):
        form = ContactForm(formdata=MultiDict({"name": "Camille", "website": ""}))
        assert form.validate() and not form.is_from_a_robot()


def test_a_filled_honeypot_marks_a_robot_without_any_error_message(app):
    with app.test_request_context(method="POST"):
        form = ContactForm(formdata=MultiDict({"name": "Camille", "website": "http://spam.example"}))
        assert form.validate() and form.is_from_a_robot()
        assert form.errors == {}


def test_it_is_a_labelled_text_field_kept_out_of_sight_and_of_the_keyboard(app):
    with app.test_request_context():
        html = rendered(ContactForm())
    assert 'type="text"' in html and 'type="hidden"' not in html
    assert HONEYPOT_LABEL in html
    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html

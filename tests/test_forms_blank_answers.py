"""A required text answered with blanks only (spaces, line breaks) is no answer, in every form of
the application: the field says so, in French, rather than what reads it failing later."""
import importlib
import pkgutil

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import InputRequired

import app as application


def every_form_class() -> list[type]:
    for module in pkgutil.walk_packages(application.__path__, "app."):
        importlib.import_module(module.name)
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form_class = waiting.pop()
        waiting.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("app."):
            found.append(form_class)
    return found


def test_every_required_text_field_refuses_an_answer_of_blanks(app):
    accepted = []
    for form_class in every_form_class():
        with app.test_request_context(method="POST"):
            try:
                form = form_class(formdata=MultiDict())
            except TypeError:  # a form that needs more to be built: its fields are checked as declared
                continue
            names = [field.name for field in form if isinstance(field, StringField)
                     and any(isinstance(v, InputRequired) for v in field.validators)]
            form = form_class(formdata=MultiDict({name: " \r\n " for name in names}))
            accepted += [f"{form_class.__name__}.{name}" for name in names if form[name].validate(form)]
    assert accepted == [], "champs obligatoires remplis de blancs acceptés"

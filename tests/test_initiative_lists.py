"""The controlled lists say what the schemas they follow say."""
from data_inclusion.schema.v1 import Public

from app.models import initiative_lists as lists


def test_publics_are_the_data_inclusion_list_with_its_labels():
    assert lists.PUBLICS == {public.value: public.label for public in Public}

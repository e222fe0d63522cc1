"""An initiative from its holder's registration to the public pages, and out again on withdrawal."""
import io
import json

import pytest
from data_inclusion.schema.v1 import Service, Structure
from pypdf import PdfReader
from sqlalchemy import select

from app.demo import data as demo_data
from app.documents.livret import write_livret
from app.extensions import db
from app.models import AuditEntry, Initiative, ModerationState, Registration, Village
from app.services import initiatives
from tests.factories import make_registration, make_village, present_initiative
from tests.factories_registration import outbox_kinds
from tests.helpers import page_text

PORTEUR_FORM = dict(
    role="porteur", first_name="Lou", last_name="Bernard", email="lou.bernard@example.org",
    commune="Sisteron", lunch="non", structure="Centre social du Gand",
    initiative_name="Équipe de quartier solidaire", initiative_summary="Des habitants qui s'entraident.",
    stage="en_cours", thematiques=["solidarite"], publics=["familles"], initiative_commune="Sisteron",
    support_needs=["financement"], support_detail_financement="Un poste d'animatrice",
    visibility="public",
)


def registered_holder(client, village):
    client.post(f"/villages/{village.slug}/inscription", data=PORTEUR_FORM)
    return db.session.scalar(select(Registration).where(Registration.email == "lou.bernard@example.org"))


def livret_text(village) -> str:
    out = io.BytesIO()
    write_livret(village, out)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)


def test_a_holder_s_initiative_is_public_only_once_approved_and_leaves_everything_on_withdrawal(client, app):
    village = make_village(slug="sisteron", town="Sisteron")
    holder = registered_holder(client, village)
    initiative = holder.initiative
    assert (initiative.visibility, initiative.moderation_state) == ("public", ModerationState.PENDING)
    assert initiative.current.commune_code == "04209"
    assert "Équipe de quartier" not in page_text(client.get("/initiatives"))
    assert client.get(f"/initiatives/{initiative.slug}").status_code == 404

    initiatives.approve(initiative, actor="orga@villages.test")
    db.session.commit()
    assert "Équipe de quartier solidaire" in page_text(client.get("/initiatives?q=equipe"))
    assert "Sisteron" in page_text(client.get(f"/initiatives/{initiative.slug}"))
    assert 'Sisteron\u00a0: 1\u00a0initiative' in client.get("/initiatives").get_data(as_text=True)
    assert "Équipe de quartier solidaire" in livret_text(village)
    assert len(json.loads(client.get("/initiatives/export.json").data)["services"]) == 1
    assert len(json.loads(client.get("/initiatives/export.geojson").data)["features"]) == 1
    assert "Équipe de quartier solidaire" in client.get("/initiatives/export.csv").data.decode("utf-8-sig")

    client.post(f"/inscription/{holder.manage_token}/initiative/retirer")
    db.session.expire_all()
    assert initiative.visibility is None and initiative.consent_withdrawn_at is not None
    assert client.get(f"/initiatives/{initiative.slug}").status_code == 404
    assert "Équipe de quartier" not in page_text(client.get("/initiatives"))
    assert "Équipe de quartier" not in livret_text(village)
    assert json.loads(client.get("/initiatives/export.json").data) == {"structures": [], "services": []}
    assert json.loads(client.get("/initiatives/export.geojson").data)["features"] == []
    assert "Équipe de quartier" not in client.get("/initiatives/export.csv").data.decode("utf-8-sig")


def test_open_data_records_pass_the_official_data_inclusion_models(client, app):
    holder = registered_holder(client, make_village())
    initiatives.approve(holder.initiative, actor="orga@villages.test")
    db.session.commit()
    exported = json.loads(client.get("/initiatives/export.json").data)
    service, = exported["services"]
    Service.model_validate(service)
    for structure in exported["structures"]:
        Structure.model_validate(structure)
    assert service["code_insee"] == "04209" and service["publics"] == ["familles"]
    assert "courriel" not in service  # the holder did not agree to show their contact


def test_presenting_at_a_second_village_reuses_the_initiative(client, app):
    first = registered_holder(client, make_village())
    second = make_village()
    client.post(f"/villages/{second.slug}/inscription", data=dict(PORTEUR_FORM, initiative_summary="Mise à jour."))
    again = db.session.scalar(select(Registration).where(Registration.village_id == second.id))
    assert again.initiative.id == first.initiative.id
    assert [p.village_id for p in first.initiative.presentations] == [first.village_id, second.id]
    assert again.initiative.current.summary == "Mise à jour."


def test_a_published_initiative_changed_by_its_holder_keeps_its_approved_version_until_approval(app):
    initiative = present_initiative(make_registration(make_village(), role="porteur"), visibility="public",
                                    approve=True, summary="Première version.")
    initiatives.edit(initiative, {"summary": "Deuxième version."}, actor="participant")
    db.session.commit()
    assert initiative.moderation_state == ModerationState.CHANGES_PENDING
    assert (initiative.published.summary, initiative.current.summary) == ("Première version.", "Deuxième version.")
    assert initiative.is_public
    initiatives.approve(initiative, actor="orga")
    assert initiative.published.summary == "Deuxième version."


def test_refusal_needs_a_reason_is_audited_and_mailed_to_the_holder(organiser_client, app):
    holder = make_registration(make_village(), role="porteur")
    initiative = present_initiative(holder, visibility="public")
    response = organiser_client.post(f"/organisation/initiatives/{initiative.id}/refuser", data={"reason": ""})
    assert response.status_code == 422 and "raison du refus" in page_text(response)
    organiser_client.post(f"/organisation/initiatives/{initiative.id}/refuser",
                          data={"reason": "Merci de préciser le public."})
    db.session.expire_all()
    assert initiative.moderation_state == ModerationState.REFUSED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "initiative.refused"))
    assert "initiative_refused" in outbox_kinds(holder)


def test_the_holder_is_told_the_initiative_will_be_read_then_mailed_when_it_is_published(client, app):
    from app.documents import mail
    from app.models import OutboxMessage

    village = make_village(slug="sisteron", town="Sisteron")
    done = client.post(f"/villages/{village.slug}/inscription", data=PORTEUR_FORM, follow_redirects=True)
    assert "L'équipe relira la fiche de votre initiative « Équipe de quartier solidaire » avant de la montrer" \
        in page_text(done)
    holder = db.session.scalar(select(Registration).where(Registration.email == "lou.bernard@example.org"))
    confirmation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert "avant de la montrer" in mail.render(confirmation).decode("utf-8", "replace").replace("=\r\n", "")

    initiatives.approve(holder.initiative, actor="orga@villages.test")
    db.session.commit()
    assert outbox_kinds(holder)[-1] == "initiative_published"
    published = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "initiative_published"))
    assert published.subject.startswith("Votre initiative est publiée")


def test_organisers_see_and_edit_every_field(organiser_client, app):
    initiative = present_initiative(make_registration(make_village(), role="porteur"))
    page = page_text(organiser_client.get(f"/organisation/initiatives/{initiative.id}"))
    for label in ("Résultats pour les habitants", "Limites", "Perspectives", "Ressources mobilisées", "Site internet"):
        assert label in page
    organiser_client.post(f"/organisation/initiatives/{initiative.id}", data={
        "initiative_name": "Nouveau nom", "limits": "Pas de local.", "initiative_website": "https://exemple.fr",
    })
    db.session.expire_all()
    assert (initiative.current.name, initiative.current.limits) == ("Nouveau nom", "Pas de local.")


def test_bad_filters_and_unknown_slugs_get_a_french_answer(client, app):
    assert client.get("/initiatives?theme=inconnu").status_code == 400
    assert "filtre n'existe pas" in page_text(client.get("/initiatives?public=%3Cscript%3E"))
    assert client.get("/initiatives/nexiste-pas").status_code == 404
    assert client.get("/initiatives?q=" + "x" * 500).status_code == 400


def test_an_unknown_commune_is_refused_next_to_the_field(client, app):
    village = make_village()
    response = client.post(f"/villages/{village.slug}/inscription",
                           data=dict(PORTEUR_FORM, initiative_commune="Zzzville"))
    assert response.status_code == 422 and "Nous ne trouvons pas cette commune" in page_text(response)
    assert db.session.scalar(select(Registration)) is None


def test_who_is_coming_is_shown_to_the_village_s_participants_only_with_their_consent(client, app):
    """The consent says « remise aux autres participants du village »: not to the public."""
    village = make_village()
    make_registration(village, first_name="Alma", last_name="Visible", consent_listing=True)
    make_registration(village, first_name="Basile", last_name="Discret", consent_listing=False)
    participant = make_registration(village, first_name="Chloé", last_name="Inscrite")
    elsewhere = make_registration(make_village(slug="digne", town="Digne"), first_name="Denis")
    private = page_text(client.get(f"/inscription/{participant.manage_token}"))
    assert "Qui vient" in private and "Alma Visible" in private and "Basile Discret" not in private
    assert "Alma Visible" not in page_text(client.get(f"/villages/{village.slug}"))
    assert "Alma Visible" not in page_text(client.get(f"/inscription/{elsewhere.manage_token}"))


def test_an_initiative_for_participants_only_is_shown_on_their_private_page_not_in_public(client, app):
    village = make_village()
    present_initiative(make_registration(village, role="porteur"), visibility="participants", approve=True,
                       name="Repair café des Plantiers")
    participant = make_registration(village)
    assert "Repair café des Plantiers" in page_text(client.get(f"/inscription/{participant.manage_token}"))
    assert "Repair café des Plantiers" not in page_text(client.get("/initiatives"))
    assert "Repair café des Plantiers" not in page_text(client.get(f"/villages/{village.slug}"))
    assert json.loads(client.get("/initiatives/export.json").data)["services"] == []


def test_demo_publishes_the_25_fiches_and_the_provence_ones_with_invented_holders_once(client, app):
    demo_data.load()
    demo_data.load_initiatives()
    again = demo_data.load_initiatives()
    assert again == ["Initiatives et participants de démonstration : déjà présents"]
    page = page_text(client.get("/initiatives"))
    assert "41 initiatives" in page and "ALLEZ LES FILLES" in page
    holders = db.session.scalars(select(Initiative.holder_email)).all()
    assert len(holders) == 41 and all(email.endswith("@exemple.org") for email in holders)
    waiting = db.session.scalars(select(Registration).where(Registration.status == "waitlisted")).all()
    assert [r.village.town for r in waiting] == ["Draguignan"]
    # Each initiative is presented at the demo village of its own département.
    for initiative in db.session.scalars(select(Initiative)):
        towns = {p.registration.village.town for p in initiative.presentations}
        expected = {"62": "Arras", "84": "Avignon", "83": "Draguignan", "04": "Sisteron"}
        assert towns == {expected[initiative.current.departement_code]}, (initiative.name, towns)
    livret = io.BytesIO()
    write_livret(db.session.scalar(select(Village).where(Village.slug == "arras")), livret)
    assert len(PdfReader(io.BytesIO(livret.getvalue())).pages) >= 2


def test_registering_at_another_village_from_the_private_link_is_pre_filled(client, app):
    first = registered_holder(client, make_village())
    second = make_village()
    private_page = client.get(f"/inscription/{first.manage_token}").get_data(as_text=True)
    assert f"/villages/{second.slug}/inscription?depuis={first.manage_token}" in private_page
    form = client.get(f"/villages/{second.slug}/inscription?depuis={first.manage_token}").get_data(as_text=True)
    assert 'value="Équipe de quartier solidaire"' in form and 'value="lou.bernard@example.org"' in form


@pytest.mark.parametrize("blank", ["   ", "\n", " \r\n\t "])
def test_a_refusal_reason_of_blanks_gets_the_field_s_french_error(organiser_client, app, blank):
    initiative = present_initiative(make_registration(make_village(), role="porteur"), visibility="public")
    response = organiser_client.post(f"/organisation/initiatives/{initiative.id}/refuser", data={"reason": blank})
    assert response.status_code == 422
    assert "Indiquez au porteur la raison du refus." in page_text(response)
    db.session.expire_all()
    assert initiative.moderation_state != ModerationState.REFUSED


def test_a_long_name_s_address_ends_on_a_whole_word(app):
    holder = make_registration(make_village(), role="porteur")
    initiative = present_initiative(holder, name="Action innovation sociale et solidaire pour un autre modèle "
                                                  "sociétal et/ou économique")
    assert initiative.slug == "action-innovation-sociale-et-solidaire-pour-un-autre-modele"

"""Open data: the initiatives shown publicly, as data·inclusion JSON, GeoJSON and CSV.

Only what directory.public_versions() returns goes out: public consent, approved version,
not withdrawn. The holder's name and e-mail go out only if they agreed to show them.
The mapping to data·inclusion is described in docs/initiatives.md: an initiative is a
*service*, its holder's structure a *structure*; records are built through the official
`data-inclusion-schema` models, so a record they refuse is left out rather than published
broken.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re

from data_inclusion.schema.v1 import Service, Structure
from flask import current_app
from pydantic import ValidationError

from ..models import Initiative, InitiativeVersion, Village
from ..models import initiative_lists as lists
from ..reference import communes
from ..text import fold
from .exports.tabular import csv_text

SOURCE = "villages-initiatives-solidaires"
# What is published of each initiative, handed by the caller (services/directory.public_versions):
# the initiative, its approved version, the villages where it is presented.
Published = tuple[Initiative, InitiativeVersion, list[Village]]
log = logging.getLogger(__name__)


def _page_url(initiative: Initiative) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/initiatives/{initiative.slug}"


def _structure_key(initiative: Initiative, version: InitiativeVersion) -> str:
    key = re.sub(r"[^a-z0-9]+", "-", fold(version.structure)).strip("-")
    return f"{SOURCE}--{key or initiative.slug}"


def _communes_of(published: list[Published]) -> dict[str, communes.Commune]:
    return communes.by_codes(version.commune_code for _, version, _ in published)


def _position(version: InitiativeVersion, known: dict[str, communes.Commune]) -> tuple[float, float] | None:
    commune = known.get(version.commune_code or "")
    return commune.position if commune is not None else None


def _data_inclusion_thematiques(version: InitiativeVersion) -> list[str]:
    return sorted({t for key in version.thematiques for t in lists.THEMATIQUES_DATA_INCLUSION[key][1]})


def data_inclusion_records(published: list[Published]) -> dict[str, list[dict]]:
    structures: dict[str, dict] = {}
    services = []
    known = _communes_of(published)
    for initiative, version, _ in published:
        structure_id = _structure_key(initiative, version)
        position = _position(version, known)
        place = {"commune": version.commune_name, "code_insee": version.commune_code,
                 "longitude": position[0] if position else None, "latitude": position[1] if position else None}
        contact = ({"courriel": initiative.holder_email, "contact_nom_prenom": initiative.holder_name}
                   if initiative.show_holder_contact else {})
        try:
            service = Service.model_validate({
                "source": SOURCE, "structure_id": structure_id, "id": f"{SOURCE}--{initiative.slug}",
                "nom": version.name[:150].rstrip("."), "description": _description(version),
                "lien_source": _page_url(initiative), "date_maj": version.created_at.date(),
                "thematiques": _data_inclusion_thematiques(version), "publics": version.publics or None,
                "publics_precisions": version.public_detail, **place, **contact,
            })
            structure = structures.get(structure_id) or Structure.model_validate({
                "source": SOURCE, "id": structure_id,
                "nom": (version.structure or version.name)[:150].rstrip("."),
                "date_maj": version.created_at.date(), "lien_source": _page_url(initiative),
                "site_web": version.website, **place,
            })
        except ValidationError as refused:
            log.warning("initiative %s left out of the open data: %s", initiative.slug, refused)
            continue
        structures[structure_id] = structure
        services.append(service)
    return {
        "structures": [s.model_dump(mode="json", exclude_none=True) for s in structures.values()],
        "services": [s.model_dump(mode="json", exclude_none=True) for s in services],
    }


def _description(version: InitiativeVersion) -> str:
    text = version.summary if len(version.summary or "") >= 5 else f"Initiative : {version.name}"
    return text[:10000]


def data_inclusion_json(published: list[Published]) -> bytes:
    return json.dumps(data_inclusion_records(published), ensure_ascii=False).encode()


def _directory_properties(initiative: Initiative, version: InitiativeVersion, villages) -> dict:
    """What a directory card shows, in French column names."""
    return {
        "nom": version.name, "structure": version.structure, "commune": version.commune_name or "",
        "code_insee": version.commune_code or "", "departement": version.departement_code or "",
        "territoire": version.territory_label, "themes": ", ".join(version.thematique_labels),
        "public": ", ".join(version.public_labels), "etat": version.stage_label,
        "besoins_appui": ", ".join(version.support_labels),
        "villages": ", ".join(v.name for v in villages), "page": _page_url(initiative),
    }


def _rows(published: list[Published]) -> list[tuple[Initiative, InitiativeVersion, dict]]:
    return [(i, v, _directory_properties(i, v, villages)) for i, v, villages in published]


def geojson(published: list[Published]) -> bytes:
    """One point per commune, with the initiatives found there."""
    by_commune: dict[str, dict] = {}
    known = _communes_of(published)
    for _, version, properties in _rows(published):
        position = _position(version, known)
        if position is None:
            continue
        feature = by_commune.setdefault(version.commune_code, {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(position[0], 5), round(position[1], 5)]},
            "properties": {"commune": version.commune_name, "code_insee": version.commune_code, "initiatives": []},
        })
        feature["properties"]["initiatives"].append(properties)
    collection = {"type": "FeatureCollection", "features": list(by_commune.values())}
    return json.dumps(collection, ensure_ascii=False).encode()


CSV_COLUMNS = {
    "nom": "Nom", "structure": "Structure", "commune": "Commune", "code_insee": "Code INSEE",
    "departement": "Département", "territoire": "Territoire", "themes": "Thèmes", "public": "Public",
    "etat": "Où en est-elle", "besoins_appui": "Besoins d'appui", "villages": "Villages", "page": "Page",
}


def csv_for_excel(published: list[Published]) -> bytes:
    """Semicolons and a byte-order mark: Excel in French opens it with its accents right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS.values())
    for _, _, properties in _rows(published):
        writer.writerow(csv_text(properties[key]) for key in CSV_COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")

"""An initiative, owned by its holder, presented at one or more villages, with its versions.

- `Initiative` is the lasting record: who holds it (by e-mail), what they consented to show,
  and where it stands in moderation.
- `InitiativeVersion` is one state of its « fiche » (the SENACS fields). A holder's edit makes a
  new version when the current one was already approved, so that the published version stays
  on public pages until an organiser approves the change.
- `InitiativePresentation` is the initiative presented at one village, through the holder's
  registration there, with the version presented and the stand asked for.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Select, String, Text, UniqueConstraint, and_, select
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from . import initiative_lists as lists
from .village import Village

if TYPE_CHECKING:
    from .registration import Registration


class ModerationState:
    PENDING = "pending"
    PUBLISHED = "published"
    CHANGES_PENDING = "changes_pending"
    REFUSED = "refused"


# The states in which the approved version is shown (the changes awaiting approval are not).
SHOWN_STATES = (ModerationState.PUBLISHED, ModerationState.CHANGES_PENDING)

class Visibility:
    PUBLIC = "public"
    PARTICIPANTS = "participants"
    ORGANISERS = "organisers"


# Who sees what (Initiative.is_shown_to): the public sees what its holder showed to everyone;
# a village's participants also what was shown to participants only.
AUDIENCES = {
    Visibility.PUBLIC: (Visibility.PUBLIC,),
    Visibility.PARTICIPANTS: (Visibility.PUBLIC, Visibility.PARTICIPANTS),
}


class Initiative(db.Model):
    __tablename__ = "initiative"
    __table_args__ = (Index("ix_initiative_moderation", "moderation_state", "visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    holder_email: Mapped[str] = mapped_column(String(254), index=True)
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    holder_phone: Mapped[str | None] = mapped_column(String(30))

    # Consent (RGPD): who may see the initiative and whether the holder's name and contact
    # may be shown with it. None means not (or no longer) consented: organisers only.
    visibility: Mapped[str | None] = mapped_column(String(20))
    show_holder_contact: Mapped[bool] = mapped_column(default=False)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]

    moderation_state: Mapped[str] = mapped_column(String(20), default=ModerationState.PENDING)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    moderated_at: Mapped[datetime | None]
    moderated_by: Mapped[str | None] = mapped_column(String(254))

    # The numbers of the latest version (what the holder sees and edits) and of the approved
    # one (what public pages show). Numbers, not foreign keys, so that the tables do not
    # refer to each other.
    current_number: Mapped[int] = mapped_column(default=1)
    published_number: Mapped[int | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    anonymised_at: Mapped[datetime | None]

    versions: Mapped[list[InitiativeVersion]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by="InitiativeVersion.number",
    )
    presentations: Mapped[list[InitiativePresentation]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> InitiativeVersion | None:
        """The latest version: what the holder sees and edits, and organisers review."""
        return self._version(self.current_number)

    @property
    def published(self) -> InitiativeVersion | None:
        """The version an organiser approved: what public pages show."""
        return self._version(self.published_number)

    def _version(self, number: int | None) -> InitiativeVersion | None:
        return next((v for v in self.versions if v.number == number), None) if number else None

    @property
    def name(self) -> str:
        """The name as its holder last wrote it (public pages use `published.name`)."""
        return self.current.name if self.current is not None else ""

    @hybrid_method
    def is_shown_to(self, audience: str = Visibility.PUBLIC) -> bool:
        """Shown to an audience (Visibility.PUBLIC or PARTICIPANTS): its holder consented to it,
        an organiser approved a version, and it was not anonymised. The one rule of the
        directory, its pages, the suggestions, the open data, the map and the livret; in SQL too."""
        return (
            self.visibility in AUDIENCES[audience]
            and self.published_number is not None
            and self.moderation_state in SHOWN_STATES
            and self.anonymised_at is None
        )

    @is_shown_to.expression
    def is_shown_to(cls, audience: str = Visibility.PUBLIC):
        return and_(
            cls.visibility.in_(AUDIENCES[audience]),
            cls.published_number.is_not(None),
            cls.moderation_state.in_(SHOWN_STATES),
            cls.anonymised_at.is_(None),
        )

    @hybrid_property
    def is_public(self) -> bool:
        """Shown on public pages, the map, the livret and the open data."""
        return self.is_shown_to(Visibility.PUBLIC)

    @classmethod
    def shown_versions(cls, audience: str = Visibility.PUBLIC) -> Select:
        """Each initiative shown to `audience` with the version an organiser approved (what is
        shown of it): the statement the directory filters and the livret reads."""
        return (
            select(cls, InitiativeVersion)
            .select_from(cls)
            .join(InitiativeVersion, and_(InitiativeVersion.initiative_id == cls.id,
                                          InitiativeVersion.number == cls.published_number))
            .where(cls.is_shown_to(audience))
        )

    @property
    def moderation_label(self) -> str:
        return lists.MODERATION_STATES[self.moderation_state]

    @property
    def visibility_label(self) -> str:
        return lists.VISIBILITIES.get(self.visibility or "", "Aucun consentement : organisateurs seulement")

    def __repr__(self) -> str:
        return f"<Initiative {self.slug} {self.moderation_state}>"


class InitiativeVersion(db.Model):
    """One state of a fiche initiative; never changed once approved."""

    __tablename__ = "initiative_version"
    __table_args__ = (UniqueConstraint("initiative_id", "number"),)

    # The fields a holder fills in (and organisers may edit), named as the columns below.
    FICHE_FIELDS = (
        "name", "structure", "summary", "stage", "dimension", "thematiques", "keywords",
        "initiators", "experience", "territory_scale", "commune_name", "commune_code",
        "departement_code", "territory_detail", "publics", "public_detail", "partners",
        "resources", "results_territory", "results_structure", "results_inhabitants",
        "limits", "perspectives", "website", "support_needs", "support_details",
        "sharing_offers", "sharing_details",
    )
    READ_PROPERTIES = (
        "stage_label", "dimension_label", "thematique_labels", "public_labels",
        "support_labels", "sharing_labels", "initiator_labels", "territory_label",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(254))  # "participant", an organiser's e-mail, "demo"

    name: Mapped[str] = mapped_column(String(200))
    structure: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str | None] = mapped_column(String(20))  # initiative_lists.STAGES
    dimension: Mapped[str | None] = mapped_column(String(30))  # initiative_lists.DIMENSIONS
    thematiques: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[str | None] = mapped_column(String(300))
    initiators: Mapped[list[str]] = mapped_column(JSON, default=list)
    experience: Mapped[str | None] = mapped_column(Text)
    territory_scale: Mapped[str | None] = mapped_column(String(30))
    commune_name: Mapped[str | None] = mapped_column(String(120))
    commune_code: Mapped[str | None] = mapped_column(String(5))  # code INSEE
    departement_code: Mapped[str | None] = mapped_column(String(3))
    territory_detail: Mapped[str | None] = mapped_column(String(300))
    publics: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_detail: Mapped[str | None] = mapped_column(String(300))
    partners: Mapped[str | None] = mapped_column(Text)
    resources: Mapped[str | None] = mapped_column(Text)
    results_territory: Mapped[str | None] = mapped_column(Text)
    results_structure: Mapped[str | None] = mapped_column(Text)
    results_inhabitants: Mapped[str | None] = mapped_column(Text)
    limits: Mapped[str | None] = mapped_column(Text)
    perspectives: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    support_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {support need key: the holder's free detail}
    support_details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    sharing_offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    sharing_details: Mapped[str | None] = mapped_column(Text)

    # Accent- and case-folded words of the fiche, for the directory's search.
    search_text: Mapped[str] = mapped_column(Text, default="")

    initiative: Mapped[Initiative] = relationship(back_populates="versions")

    @property
    def stage_label(self) -> str:
        return lists.STAGES.get(self.stage or "", "")

    @property
    def dimension_label(self) -> str:
        return lists.DIMENSIONS.get(self.dimension or "", "")

    @property
    def thematique_labels(self) -> list[str]:
        return lists.labels(lists.THEMATIQUES, self.thematiques)

    @property
    def public_labels(self) -> list[str]:
        return lists.labels(lists.PUBLICS, self.publics)

    @property
    def support_labels(self) -> list[str]:
        return lists.labels(lists.SUPPORT_NEEDS, self.support_needs)

    @property
    def sharing_labels(self) -> list[str]:
        return lists.labels(lists.SHARING_OFFERS, self.sharing_offers)

    @property
    def initiator_labels(self) -> list[str]:
        return lists.labels(lists.INITIATORS, self.initiators)

    @property
    def territory_label(self) -> str:
        """« Sisteron (04) », or the wider zone in the holder's words."""
        if self.commune_name:
            suffix = f" ({self.departement_code})" if self.departement_code else ""
            return f"{self.commune_name}{suffix}"
        return self.territory_detail or lists.TERRITORY_SCALES.get(self.territory_scale or "", "")

    def fiche(self) -> dict:
        return {name: getattr(self, name) for name in self.FICHE_FIELDS}


class InitiativePresentation(db.Model):
    """An initiative presented at one village, through its holder's registration there."""

    __tablename__ = "initiative_presentation"
    __table_args__ = (UniqueConstraint("initiative_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), unique=True
    )
    # The version the holder presented (kept as history: which village, which version).
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative_version.id", ondelete="SET NULL")
    )
    wants_stand: Mapped[bool] = mapped_column(default=False)
    stand_table: Mapped[bool] = mapped_column(default=False)
    stand_electricity: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="presentations")
    village: Mapped[Village] = relationship()
    registration: Mapped[Registration | None] = relationship(back_populates="presentation")
    version: Mapped[InitiativeVersion | None] = relationship()

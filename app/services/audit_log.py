"""Reading the audit trail, newest first, a page at a time."""
from math import ceil

from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditEntry

PER_PAGE = 50


def entries(page: int, village_id: int | None = None, per_page: int = PER_PAGE) -> tuple[list[AuditEntry], int, int]:
    """(entries of the page, page number actually shown, number of pages)."""
    conditions = [AuditEntry.village_id == village_id] if village_id else []
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    pages = max(ceil(total / per_page), 1)
    page = min(max(page, 1), pages)
    found = db.session.scalars(
        select(AuditEntry).where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    return list(found), page, pages

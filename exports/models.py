"""Clinic branding for printed handouts: the ClinicProfile model and its plain-dict view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow
from exports.logo import LogoError, logo_data_uri
from exports.render import clean_clinic


class ClinicProfile(Model):
    """A clinic's name, contact details and logo, printed on every handout it hands out."""

    __tablename__ = "clinic_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The lead turns this into a foreign key to the course context; until then a plain column.
    context_id: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def clinic_dict(profile: ClinicProfile | None) -> dict[str, Any]:
    """Plain values for templates and the PDF cache key; None gives the generic placeholder."""
    if profile is None:
        return clean_clinic(None)
    try:
        logo = logo_data_uri(profile.logo, profile.logo_mime)
    except LogoError:
        # A stored logo that no longer validates is left off rather than breaking the handout.
        logo = ""
    return clean_clinic({
        "name": profile.name, "department": profile.department, "phone": profile.phone,
        "address": profile.address, "website": profile.website, "logo_data_uri": logo,
    })

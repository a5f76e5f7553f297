"""Handout services for the web views: clinic profile reads and writes, cached PDF output."""

from __future__ import annotations

import pathlib
from typing import Any

from sqlalchemy import select

from course.db import db
from exports.logo import prepare_logo
from exports.models import ClinicProfile, clinic_dict
from exports.pdfcache import PdfCache, cached_pdf
from exports.render import RenderOptions

CACHE_FOLDER = "handout-pdfs"
CLINIC_FIELDS = ("name", "department", "phone", "address", "website")


def clinic_profile(context_id: int) -> ClinicProfile | None:
    """The clinic profile of one course context (the tenant boundary), if it has one."""
    return db.session.scalars(
        select(ClinicProfile).where(ClinicProfile.context_id == context_id)
        .order_by(ClinicProfile.id).limit(1)).first()


def clinic_values(context_id: int) -> dict[str, Any]:
    """Plain clinic values for a context, or the generic placeholder."""
    return clinic_dict(clinic_profile(context_id))


def save_clinic_profile(context_id: int, values: dict[str, str], logo: bytes | None = None,
                        remove_logo: bool = False) -> ClinicProfile:
    """Create or update the context's profile; raises LogoError before writing anything."""
    checked = prepare_logo(logo) if logo else None
    profile = clinic_profile(context_id) or ClinicProfile(context_id=context_id, name="")
    for field in CLINIC_FIELDS:
        setattr(profile, field, (values.get(field) or "").strip())
    if checked is not None:
        profile.logo, profile.logo_mime = checked
    elif remove_logo:
        profile.logo, profile.logo_mime = None, None
    db.session.add(profile)
    db.session.commit()
    return profile


def handout_pdf(instance_path: str | pathlib.Path, context_id: int, slugs: list[str],
                options: RenderOptions) -> tuple[bytes, bool]:
    """The PDF for a context's clinic, from the instance-folder cache when it is there."""
    cache = PdfCache(pathlib.Path(instance_path) / CACHE_FOLDER)
    return cached_pdf(cache, slugs, clinic_values(context_id), options)

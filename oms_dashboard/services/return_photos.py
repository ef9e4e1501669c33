"""The photos a customer attaches to their return: JPEG, PNG or WebP (checked by
their first bytes, not only the declared type), at most 5 MB each, 5 per return."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.returns import ReturnStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import ReturnPhoto
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import Conflict, NotFound, ValidationFailed
from oms_dashboard.services.return_records import get_return

S = ReturnStatus
PHOTO_TYPES = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/webp": b"RIFF",
}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5


def add_photo(
    session: Session, *, actor: Actor, return_id: str, content_type: str | None, data: bytes
) -> ReturnPhoto:
    """A photo for the customer's own return: JPEG, PNG or WebP, at most 5 MB, 5 photos."""
    actor.require(Role.CUSTOMER)
    ret = get_return(session, actor=actor, return_id=return_id)
    if ret.status in (S.REJECTED, S.CLOSED):
        raise Conflict(f"this return is {ret.status}: no more photos", type="return-closed")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in PHOTO_TYPES:
        raise ValidationFailed.one("photo", "must be a JPEG, PNG or WebP image")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed.one("photo", "must be at most 5 MB")
    if not data.startswith(PHOTO_TYPES[kind]) or (kind == "image/webp" and data[8:12] != b"WEBP"):
        raise ValidationFailed.one("photo", f"is not a {kind.split('/')[1].upper()} image")
    count = session.exec(
        select(sa.func.count()).select_from(ReturnPhoto).where(ReturnPhoto.return_id == ret.id)
    ).one()
    if count >= MAX_PHOTOS:
        raise ValidationFailed.one("photo", f"at most {MAX_PHOTOS} photos per return")
    photo = ReturnPhoto(id=new_id("rph"), return_id=ret.id, content_type=kind, data=data)
    session.add(photo)
    session.flush()
    return photo


def get_photo(session: Session, *, actor: Actor, return_id: str, photo_id: str) -> ReturnPhoto:
    ret = get_return(session, actor=actor, return_id=return_id)
    photo = session.get(ReturnPhoto, photo_id)
    if photo is None or photo.return_id != ret.id:
        raise NotFound(f"no photo {photo_id!r}")
    return photo

"""Guests for one case (docs/rules.md §3, "Gasten"): an organisation that is not at the region's
fixed table joins the discussion of one case, after acknowledging confidentiality. Its members
then see that case in that meeting, and nothing else (`permissions.followed_items`)."""

from __future__ import annotations

from . import audit
from .clock import utcnow
from .models import AgendaItem, ItemGuest, Organisation, User
from .vocab import AuditAction


class NotAcknowledged(Exception):
    message = "Een gast schuift pas aan na de geheimhoudingsverklaring: vink aan dat de gast die heeft bevestigd."


def add_guest(item: AgendaItem, organisation: Organisation, acknowledged: bool, user: User) -> ItemGuest:
    """Invite an organisation to this case's discussion; refused without its acknowledgement."""
    if not acknowledged:
        raise NotAcknowledged()
    guest = next((g for g in item.guests if g.organisation_id == organisation.id), None)
    if guest is None:
        guest = ItemGuest(organisation=organisation, acknowledged_at=utcnow(), acknowledged_by_id=user.id)
        item.guests.append(guest)
        audit.record(AuditAction.guest, item, user=user, detail=organisation.short_name)
    return guest


def remove_guest(item: AgendaItem, guest: ItemGuest, user: User) -> None:
    """The guest leaves this case: its members no longer see it."""
    item.guests.remove(guest)
    audit.record(AuditAction.guest_remove, item, user=user, detail=guest.organisation.short_name)


def candidates(item: AgendaItem, organisations: list[Organisation]) -> list[Organisation]:
    """Who can be invited: active organisations not at the region's table nor already a guest."""
    at_table = {o.id for o in item.meeting.region.organisations} | {g.organisation_id for g in item.guests}
    return [o for o in organisations if o.active and o.id not in at_table]

"""Meetings as iCalendar (docs/rules.md §7): pure functions, meetings in, bytes out (icalendar).

Invites are `METHOD:REQUEST` with the organiser and the one recipient as attendee (each
person gets their own mail, so no address of another organisation leaks); a cancellation is
`METHOD:CANCEL` with the same UID. SEQUENCE is the meeting's, raised on every change of
time, place, form or status, so calendars replace rather than duplicate. Times carry the
Europe/Amsterdam VTIMEZONE. No calendar text ever holds a case code or an action text.

The join link of an online or hybride meeting goes where each client looks for it: the
LOCATION (Outlook, Google and Apple make a link there clickable, Outlook adds its join
button), RFC 7986's CONFERENCE, Google's own X-GOOGLE-CONFERENCE, and the description.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText, vUri

from .clock import AMSTERDAM, utcnow
from .models import ActionPoint, Meeting
from .vocab import MeetingForm

PRODID = "-//Veiligheid Voorop//actieoverleg//NL"
TZID = "Europe/Amsterdam"
UTC = dt.timezone.utc
HOUR = dt.timedelta(hours=1)


def meeting_uid(meeting: Meeting, domain: str) -> str:
    """Stable for the meeting's whole life: updates and the cancellation refer to it."""
    return f"meeting-{meeting.id}@{domain}"


def _last_sunday(year: int, month: int) -> dt.date:
    end = dt.date(year, month, 31)  # March and October both have 31 days
    return end - dt.timedelta(days=(end.weekday() + 1) % 7)


def _follows_eu_rule(year: int) -> bool:
    """Whether tzdata still has the EU's summer time in `year`: 01:00 UTC, last Sundays."""
    for month, before, after in ((3, 1, 2), (10, 2, 1)):
        change = dt.datetime.combine(_last_sunday(year, month), dt.time(1), UTC)
        if (change - dt.timedelta(seconds=1)).astimezone(AMSTERDAM).utcoffset() != before * HOUR or change.astimezone(
            AMSTERDAM
        ).utcoffset() != after * HOUR:
            return False
    return True


def _observance(
    kind: type[TimezoneDaylight | TimezoneStandard],
    name: str,
    start: dt.datetime,
    month: int,
    offset_from: int,
    offset_to: int,
) -> TimezoneDaylight | TimezoneStandard:
    part = kind()
    part.add("tzname", name)
    part.add("dtstart", start)
    part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
    part.add("tzoffsetfrom", offset_from * HOUR)
    part.add("tzoffsetto", offset_to * HOUR)
    return part


def _vtimezone(years: set[int]) -> Timezone:
    """Europe/Amsterdam as two yearly rules, the form Outlook, Google and Apple all read.

    icalendar's own generator (`Timezone.from_tzinfo`) writes every transition since 1970
    as one comma-separated RDATE list, which Outlook is known to misread and vobject cuts
    to its first date. Should tzdata ever leave the EU rule in one of these years, that
    exact list is used instead, one RDATE line per transition.
    """
    if not all(_follows_eu_rule(year) for year in years):
        tz = Timezone.from_tzinfo(
            AMSTERDAM, tzid=TZID, first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1)
        )
        for part in tz.subcomponents:
            for rdate in getattr(part.pop("RDATE", None), "dts", []):
                part.add("rdate", rdate.dt)
        return tz
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add_component(_observance(TimezoneDaylight, "CEST", dt.datetime(1996, 3, 31, 2), 3, 1, 2))
    tz.add_component(_observance(TimezoneStandard, "CET", dt.datetime(1996, 10, 27, 3), 10, 2, 1))
    return tz


def _calendar(method: str, events: Iterable[Event], meetings: Iterable[Meeting], now: dt.datetime) -> Calendar:
    """The calendar, with a VTIMEZONE checked for every Amsterdam year a meeting touches."""
    years = {now.astimezone(AMSTERDAM).year}
    for m in meetings:
        start = _utc(m.starts_at).astimezone(AMSTERDAM)
        years |= {start.year, (start + dt.timedelta(minutes=m.duration_minutes)).year}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone(years))  # before the events that refer to it
    for event in events:
        cal.add_component(event)
    return cal


def _utc(moment: dt.datetime | None) -> dt.datetime:
    """An aware moment in UTC (now by default); a naive one would silently use the server's zone."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use an aware datetime")
    return moment.astimezone(UTC)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _join_link(meeting: Meeting) -> str:
    return "" if meeting.form is MeetingForm.fysiek else meeting.online_url


def _location(meeting: Meeting) -> str:
    """The room; for an online meeting its link, for a hybride one both."""
    link = _join_link(meeting)
    if not link:
        return meeting.location
    if meeting.form is MeetingForm.online or not meeting.location:
        return link
    return f"{meeting.location} en online: {link}"


def _meeting_event(meeting: Meeting, domain: str, url: str, now: dt.datetime, cancelled: bool) -> Event:
    """Time, place, form and links: what a calendar may know of a meeting, never its cases."""
    start = _utc(meeting.starts_at).astimezone(AMSTERDAM)
    event = Event()
    event.add("uid", meeting_uid(meeting, domain))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", (start + dt.timedelta(minutes=meeting.duration_minutes)).astimezone(AMSTERDAM))
    kind = " (spoedoverleg)" if meeting.is_extra else ""
    event.add("summary", f"Actie-overleg {meeting.region.name}{kind}")
    if location := _location(meeting):
        event.add("location", location)
    link = _join_link(meeting)
    joining = f"\nOnline deelnemen: {link}" if link else ""
    event.add("description", f"Vorm: {meeting.form.label}.{joining}\nAgenda en verslag: {url}")
    event.add("url", url)
    if link:
        # A raw comma reads as a list separator to some parsers (vobject); %2C means the same in a URL.
        uri = link.replace(",", "%2C")
        event.add("conference", vUri(uri), parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Online deelnemen"})
        event.add("x-google-conference", vUri(uri))  # a value of its own: parameters attach to it
    event.add("status", "CANCELLED" if cancelled or meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def invite(
    meeting: Meeting,
    *,
    method: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    url: str,
    now: dt.datetime | None = None,
) -> bytes:
    """A REQUEST (new or updated) or CANCEL for one recipient."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    now = _utc(now)
    domain = organizer[1].rpartition("@")[2]
    event = _meeting_event(meeting, domain, url, now, cancelled=method == "CANCEL")
    event.add("organizer", _address(*organizer))
    event.add(
        "attendee",
        _address(*attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE", CUTYPE="INDIVIDUAL"),
    )
    return _calendar(method, [event], [meeting], now).to_ical()


def single(meeting: Meeting, *, domain: str, url: str, now: dt.datetime | None = None) -> bytes:
    """One meeting to download into any calendar (PUBLISH: no invitation semantics)."""
    now = _utc(now)
    event = _meeting_event(meeting, domain, url, now, cancelled=False)
    return _calendar("PUBLISH", [event], [meeting], now).to_ical()


def _due_event(point: ActionPoint, domain: str, url: str, now: dt.datetime) -> Event:
    """An all-day item naming only the owner: the text and the case stay in the tool."""
    event = Event()
    event.add("uid", f"action-{point.id}@{domain}")
    event.add("sequence", 0)
    event.add("dtstamp", now)
    event.add("dtstart", point.due_date)
    event.add("dtend", point.due_date + dt.timedelta(days=1))
    event.add("summary", f"Actiepunt {point.organisation.short_name} — zie actieoverleg")
    event.add("description", f"Termijn van een actiepunt. Bekijken en afvinken: {url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def feed(
    *,
    name: str,
    meetings: list[Meeting],
    due_points: list[ActionPoint],
    domain: str,
    meeting_url: Callable[[Meeting], str],
    actions_url: str,
    now: dt.datetime | None = None,
) -> bytes:
    """A subscription calendar: the region's meetings and the organisation's due dates."""
    now = _utc(now)
    events = [_meeting_event(m, domain, meeting_url(m), now, cancelled=False) for m in meetings]
    events += [_due_event(p, domain, actions_url, now) for p in due_points]
    cal = _calendar("PUBLISH", events, meetings, now)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", HOUR, parameters={"VALUE": "DURATION"})  # RFC 7986 requires VALUE
    cal.add("x-published-ttl", "PT1H")  # the older name, for Outlook
    return cal.to_ical()

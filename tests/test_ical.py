"""iCalendar output (docs/rules.md §7), read back by two independent parsers: icalendar and vobject.

vobject resolves a TZID through a process-wide registry that the first VTIMEZONE it parses
fills (and pytz fills when there is none). `parse` clears Europe/Amsterdam from it first, so
every file is converted with the VTIMEZONE rules written in that very file, not with tzdata.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import vobject
import vobject.icalendar
from icalendar import Calendar

from actieoverleg import ical
from actieoverleg.formatting import AMSTERDAM
from actieoverleg.models import ActionPoint, Case, Meeting, Organisation, Region
from actieoverleg.vocab import (
    ActionKind,
    ActionStatus,
    Assessment,
    CaseKind,
    CaseReason,
    Children,
    Handover,
    MeetingForm,
    MeetingStatus,
    OrganisationKind,
)

from .conftest import TEST_NOW

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

UTC = dt.timezone.utc
TZID = "Europe/Amsterdam"
NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ORGANIZER = ("Actie-overleg Rotterdam-Rijnmond", "noreply@actieoverleg.test")
ATTENDEE = ("Jan de Politie", "jan@politie.example")
URL = "https://actieoverleg.test/agenda/42"
CASE_CODE = "RR-26-0042"
ACTION_TEXT = "Politie plant verhoor met pleger"
FILE_REFERENCE = "VT-2026-0042"

REGISTRY: dict = vars(vobject.icalendar)["__tzidMap"]


@pytest.fixture(autouse=True)
def restore_vobject_registry():
    saved = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(saved)


def amsterdam(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMSTERDAM).astimezone(UTC)


def make_meeting(starts_at: dt.datetime = amsterdam(2026, 3, 30, 13), **kw) -> Meeting:  # noqa: B008 - a constant
    region = Region(id=1, name="Rotterdam-Rijnmond", code="RR")
    values = dict(
        id=42,
        region=region,
        starts_at=starts_at,
        duration_minutes=120,
        location="Politiebureau Zuid",
        form=MeetingForm.hybride,
        is_extra=False,
        status=MeetingStatus.gepland,
        sequence=0,
    )
    return Meeting(**{**values, **kw})


def make_point(point_id: int = 7, due: dt.date = dt.date(2026, 4, 2)) -> ActionPoint:
    politie = Organisation(id=2, name="Politie Rotterdam", short_name="Politie", kind=OrganisationKind.partner)
    case = Case(
        id=9,
        code=CASE_CODE,
        organisation=politie,
        kind=CaseKind.eer,
        children=Children.ja,
        reason=CaseReason.escalatie,
        file_reference=FILE_REFERENCE,
    )
    return ActionPoint(
        id=point_id,
        case=case,
        organisation=politie,
        text=ACTION_TEXT,
        kind=ActionKind.directe,
        due_date=due,
        status=ActionStatus.open,
    )


def parse(raw: bytes) -> SimpleNamespace:
    """Both parsers' view of one file, after checking the wire format (CRLF, folded at 75 octets)."""
    assert isinstance(raw, bytes) and raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    REGISTRY.pop(TZID, None)  # resolve the TZID from this file's own VTIMEZONE
    text = raw.decode()
    return SimpleNamespace(ical=Calendar.from_ical(raw), vobj=vobject.readOne(text), text=text.replace("\r\n ", ""))


def request(meeting: Meeting, **kw) -> SimpleNamespace:
    return parse(ical.invite(meeting, method="REQUEST", organizer=ORGANIZER, attendee=ATTENDEE, url=URL, now=NOW, **kw))


def a_feed(meetings: list[Meeting], points: list[ActionPoint]) -> SimpleNamespace:
    return parse(
        ical.feed(
            name="Actie-overleg — Politie",
            meetings=meetings,
            due_points=points,
            domain="actieoverleg.test",
            meeting_url=lambda m: f"https://actieoverleg.test/agenda/{m.id}",
            actions_url="https://actieoverleg.test/acties",
            now=NOW,
        )
    )


def assert_calendar_header(cal: SimpleNamespace, method: str) -> None:
    for c in (cal.ical, cal.vobj.contents):
        get = (lambda k, c=c: str(c[k.upper()])) if c is cal.ical else (lambda k, c=c: c[k][0].value)
        assert get("prodid") == "-//Veiligheid Voorop//actieoverleg//NL"
        assert get("version") == "2.0"
        assert get("calscale") == "GREGORIAN"
        assert get("method") == method
    assert [str(tz["TZID"]) for tz in cal.ical.walk("VTIMEZONE")] == [TZID]
    assert cal.vobj.vtimezone.tzid.value == TZID


def test_request_invite_for_one_recipient():
    cal = request(make_meeting(sequence=3, is_extra=True))
    assert_calendar_header(cal, "REQUEST")
    [event] = cal.ical.walk("VEVENT")
    assert str(event["UID"]) == "meeting-42@actieoverleg.test"
    assert event["SEQUENCE"] == 3
    assert event["DTSTAMP"].dt == NOW and event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)
    assert str(event["SUMMARY"]) == "Actie-overleg Rotterdam-Rijnmond (spoedoverleg)"
    assert str(event["LOCATION"]) == "Politiebureau Zuid"
    assert str(event["DESCRIPTION"]) == f"Vorm: Hybride.\nAgenda en verslag: {URL}"
    assert (str(event["URL"]), str(event["STATUS"]), str(event["TRANSP"])) == (URL, "CONFIRMED", "OPAQUE")
    assert str(event["ORGANIZER"]) == "mailto:noreply@actieoverleg.test"
    assert event["ORGANIZER"].params["CN"] == ORGANIZER[0]
    assert str(event["ATTENDEE"]) == "mailto:jan@politie.example"  # one, so a string and not a list
    assert dict(event["ATTENDEE"].params) == {
        "CN": "Jan de Politie",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
        "CUTYPE": "INDIVIDUAL",
    }

    [vevent] = cal.vobj.vevent_list
    assert vevent.uid.value == "meeting-42@actieoverleg.test" and vevent.sequence.value == "3"
    assert vevent.dtstamp.value == NOW and vevent.dtstamp.value.utcoffset() == dt.timedelta(0)
    assert vevent.organizer.value == "mailto:noreply@actieoverleg.test"
    assert vevent.organizer.params["CN"] == [ORGANIZER[0]]
    [attendee] = vevent.contents["attendee"]
    assert attendee.value == "mailto:jan@politie.example"
    assert attendee.params["RSVP"] == ["TRUE"] and attendee.params["CN"] == ["Jan de Politie"]
    assert vevent.status.value == "CONFIRMED"


def test_cancel_keeps_the_uid_and_carries_the_raised_sequence():
    meeting = make_meeting(sequence=1)
    first, again = request(meeting), request(meeting)
    meeting.sequence = 2  # the caller raises it on cancellation
    cancel = parse(ical.invite(meeting, method="CANCEL", organizer=ORGANIZER, attendee=ATTENDEE, url=URL, now=NOW))
    assert_calendar_header(cancel, "CANCEL")
    uids = {str(c.ical.walk("VEVENT")[0]["UID"]) for c in (first, again, cancel)}
    uids |= {c.vobj.vevent.uid.value for c in (first, again, cancel)}
    assert uids == {ical.meeting_uid(meeting, "actieoverleg.test")} == {"meeting-42@actieoverleg.test"}
    assert [c.ical.walk("VEVENT")[0]["SEQUENCE"] for c in (first, cancel)] == [1, 2]
    assert cancel.vobj.vevent.sequence.value == "2"
    assert str(cancel.ical.walk("VEVENT")[0]["STATUS"]) == cancel.vobj.vevent.status.value == "CANCELLED"
    assert cancel.vobj.vevent.attendee.params["RSVP"] == ["TRUE"]


def test_uid_domain_is_the_organizers_and_dtstamp_defaults_to_now_utc():
    meeting = make_meeting(id=5)
    cal = parse(
        ical.invite(meeting, method="REQUEST", organizer=("VV", "agenda@vv.example"), attendee=ATTENDEE, url=URL)
    )
    stamp = cal.vobj.vevent.dtstamp.value
    assert cal.vobj.vevent.uid.value == "meeting-5@vv.example"
    assert stamp.utcoffset() == dt.timedelta(0) and stamp == TEST_NOW  # the pinned instant, in UTC
    assert ical.meeting_uid(meeting, "vv.example") == "meeting-5@vv.example"


@pytest.mark.parametrize(
    ("local", "offset"),
    [
        ((2026, 3, 28, 13), 1),
        ((2026, 3, 30, 13), 2),  # Saturday before, Monday after 29-03
        ((2026, 10, 24, 13), 2),
        ((2026, 10, 26, 13), 1),  # around 25-10
        ((2027, 3, 27, 13), 1),
        ((2027, 3, 29, 13), 2),  # around 28-03-2027
        ((2027, 10, 30, 13), 2),
        ((2027, 11, 1, 13), 1),  # around 31-10-2027
        ((2031, 3, 29, 23, 30), 1),
        ((2031, 3, 30, 3, 30), 2),  # the night itself, years on
    ],
)
def test_dtstart_converts_to_utc_with_the_files_own_vtimezone(local, offset):
    meeting = make_meeting(amsterdam(*local), duration_minutes=90)
    for cal in (request(meeting), parse(ical.single(meeting, domain="actieoverleg.test", url=URL, now=NOW))):
        vevent = cal.vobj.vevent
        start = vevent.dtstart.value
        assert type(start.tzinfo).__module__.startswith("dateutil")  # from the VTIMEZONE, not pytz or zoneinfo
        assert start.replace(tzinfo=None) == dt.datetime(*local)
        assert start.utcoffset() == dt.timedelta(hours=offset)
        assert start.astimezone(UTC) == meeting.starts_at
        assert vevent.dtend.value - start == dt.timedelta(minutes=90)
        event = cal.ical.walk("VEVENT")[0]
        assert event["DTSTART"].params["TZID"] == TZID
        assert event["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(*local)  # wall time in the file


def test_the_vtimezone_check_can_fail():
    """Proof that vobject reads the rules in the file: a corrupted rule moves the meeting."""
    raw = ical.invite(
        make_meeting(amsterdam(2026, 7, 6, 13)),
        method="REQUEST",
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        url=URL,
        now=NOW,
    )
    broken = parse(raw.replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+0300"))
    assert broken.vobj.vevent.dtstart.value.utcoffset() == dt.timedelta(hours=3)
    assert broken.vobj.vevent.dtstart.value.astimezone(UTC) == amsterdam(2026, 7, 6, 12)


def test_vtimezone_is_two_yearly_eu_rules_that_match_tzdata():
    cal = request(make_meeting())
    [tz] = cal.ical.walk("VTIMEZONE")
    [summer], [winter] = tz.walk("DAYLIGHT"), tz.walk("STANDARD")
    for part, month, offsets in ((summer, 3, (1, 2)), (winter, 10, (2, 1))):
        assert dict(part["RRULE"]) == {"FREQ": ["YEARLY"], "BYMONTH": [month], "BYDAY": ["-1SU"]}
        assert (part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td) == tuple(dt.timedelta(hours=h) for h in offsets)
        assert "RDATE" not in part
    rules = cal.vobj.vevent.dtstart.value.tzinfo
    for year in range(2026, 2041):
        for month in (3, 10):
            for hour in range(24 * 24):  # every hour of the last 24 days of the month, in UTC
                moment = dt.datetime(year, month, 8, tzinfo=UTC) + dt.timedelta(hours=hour)
                assert moment.astimezone(rules).utcoffset() == moment.astimezone(AMSTERDAM).utcoffset(), moment


def test_falls_back_to_icalendars_transition_list_when_tzdata_leaves_the_eu_rule(monkeypatch):
    assert all(ical._follows_eu_rule(year) for year in range(2026, 2041))
    monkeypatch.setattr(ical, "_follows_eu_rule", lambda year: False)
    for local, offset in (((2027, 3, 27, 13), 1), ((2027, 3, 29, 13), 2)):
        meeting = make_meeting(amsterdam(*local))
        cal = request(meeting)
        rdates = [line for line in cal.text.splitlines() if line.startswith("RDATE")]
        assert "RRULE:" not in cal.text and len(rdates) >= 6
        assert not any("," in line for line in rdates)  # vobject keeps only the first of a list
        assert cal.vobj.vevent.dtstart.value.utcoffset() == dt.timedelta(hours=offset)
        assert cal.vobj.vevent.dtstart.value.astimezone(UTC) == meeting.starts_at


def test_single_download_is_publish_without_people():
    meeting = make_meeting(location="", form=MeetingForm.online)
    cal = parse(ical.single(meeting, domain="actieoverleg.test", url=URL, now=NOW))
    assert_calendar_header(cal, "PUBLISH")
    [event] = cal.ical.walk("VEVENT")
    assert "ORGANIZER" not in event and "ATTENDEE" not in event and "LOCATION" not in event
    assert set(cal.vobj.vevent.contents).isdisjoint({"organizer", "attendee", "location"})
    assert str(event["UID"]) == str(request(meeting).ical.walk("VEVENT")[0]["UID"])
    assert str(event["SUMMARY"]) == "Actie-overleg Rotterdam-Rijnmond"
    assert cal.vobj.vevent.description.value == f"Vorm: Online.\nAgenda en verslag: {URL}"
    assert cal.vobj.vevent.status.value == "CONFIRMED"


def test_feed_is_a_subscription_calendar():
    cal = a_feed([make_meeting()], [make_point()])
    assert_calendar_header(cal, "PUBLISH")
    assert str(cal.ical["X-WR-CALNAME"]) == cal.vobj.contents["x-wr-calname"][0].value == "Actie-overleg — Politie"
    refresh = cal.vobj.contents["refresh-interval"][0]
    assert (refresh.value, refresh.params) == ("PT1H", {"VALUE": ["DURATION"]})
    assert cal.ical["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert cal.vobj.contents["x-published-ttl"][0].value == "PT1H"
    [meeting] = [e for e in cal.vobj.vevent_list if e.uid.value.startswith("meeting-")]
    assert meeting.uid.value == "meeting-42@actieoverleg.test"
    assert meeting.url.value == "https://actieoverleg.test/agenda/42"
    assert meeting.dtstart.value.astimezone(UTC) == amsterdam(2026, 3, 30, 13)
    assert "organizer" not in meeting.contents and "attendee" not in meeting.contents


def test_feed_due_point_is_an_all_day_item_naming_only_the_owner():
    cal = a_feed([], [make_point(7, dt.date(2026, 10, 25))])
    [event] = cal.ical.walk("VEVENT")
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (dt.date(2026, 10, 25), dt.date(2026, 10, 26))
    assert str(event["SUMMARY"]) == "Actiepunt Politie — zie actieoverleg"
    assert (str(event["UID"]), event["SEQUENCE"], str(event["TRANSP"])) == (
        "action-7@actieoverleg.test",
        0,
        "TRANSPARENT",
    )
    assert "https://actieoverleg.test/acties" in str(event["DESCRIPTION"])
    vevent = cal.vobj.vevent
    assert type(vevent.dtstart.value) is dt.date and vevent.dtstart.value == dt.date(2026, 10, 25)
    assert type(vevent.dtend.value) is dt.date and vevent.dtend.value == dt.date(2026, 10, 26)
    assert vevent.summary.value == "Actiepunt Politie — zie actieoverleg"
    assert vevent.dtstamp.value == NOW
    assert len(cal.ical.walk("VTIMEZONE")) == 1  # present even without timed events


def test_calendars_carry_no_case_content():
    point, meeting = make_point(), make_meeting()
    files = [a_feed([meeting], [point]), request(meeting), parse(ical.single(meeting, domain="x.test", url=URL))]
    labels = [m.label for vocab in (CaseKind, CaseReason, Assessment, ActionKind, Handover) for m in vocab]
    for cal in files:
        lowered = cal.text.lower()
        for secret in [CASE_CODE, ACTION_TEXT, FILE_REFERENCE, *labels]:
            assert secret.lower() not in lowered, secret
    assert "Actiepunt Politie" in files[0].text  # the check looks at the real, unfolded text


def test_cancelled_meeting_is_cancelled_in_feed_and_download():
    cancelled = make_meeting(id=43, status=MeetingStatus.geannuleerd, sequence=4)
    cal = a_feed([make_meeting(), cancelled], [])
    status = {e.uid.value: e.status.value for e in cal.vobj.vevent_list}
    assert status == {"meeting-42@actieoverleg.test": "CONFIRMED", "meeting-43@actieoverleg.test": "CANCELLED"}
    ical_status = {str(e["UID"]): (str(e["STATUS"]), e["SEQUENCE"]) for e in cal.ical.walk("VEVENT")}
    assert ical_status["meeting-43@actieoverleg.test"] == ("CANCELLED", 4)
    single = parse(ical.single(cancelled, domain="actieoverleg.test", url=URL, now=NOW))
    assert single.vobj.vevent.status.value == "CANCELLED"


def test_bad_input_is_refused():
    meeting = make_meeting()
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        ical.invite(meeting, method="PUBLISH", organizer=ORGANIZER, attendee=ATTENDEE, url=URL)
    with pytest.raises(ValueError, match="naive"):
        ical.single(meeting, domain="x.test", url=URL, now=dt.datetime(2026, 3, 1, 9))


JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Njk1@thread.v2/0?context=%7b%22Tid%22%7d;x=1,2"


def test_online_meeting_has_its_link_where_each_calendar_looks():
    cal = request(make_meeting(form=MeetingForm.online, location="", online_url=JOIN))
    [event] = cal.ical.walk("VEVENT")
    assert str(event["LOCATION"]) == JOIN  # Outlook, Google and Apple make it clickable
    encoded = JOIN.replace(",", "%2C")  # the same address, safe from parsers that split on commas
    assert str(event["CONFERENCE"]) == encoded and str(event["X-GOOGLE-CONFERENCE"]) == encoded
    assert dict(event["CONFERENCE"].params) == {"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Online deelnemen"}
    assert f"\r\nX-GOOGLE-CONFERENCE:{encoded}\r\n" in cal.text  # Google's own: the bare link
    assert str(event["DESCRIPTION"]) == f"Vorm: Online.\nOnline deelnemen: {JOIN}\nAgenda en verslag: {URL}"
    assert str(event["URL"]) == URL  # the agenda, as before
    vevent = cal.vobj.vevent  # the second parser reads the same, ';' and ',' intact
    assert vevent.location.value == JOIN and vevent.conference.value == encoded
    assert vevent.conference.params["VALUE"] == ["URI"]
    assert "CONFERENCE;FEATURE=VIDEO;LABEL=Online deelnemen;VALUE=URI:https://teams" in cal.text


def test_hybrid_meeting_has_room_and_link():
    cal = request(make_meeting(form=MeetingForm.hybride, online_url=JOIN))
    event = cal.ical.walk("VEVENT")[0]
    assert str(event["LOCATION"]) == f"Politiebureau Zuid en online: {JOIN}"
    assert str(event["CONFERENCE"]) == JOIN.replace(",", "%2C")
    assert cal.vobj.vevent.location.value == f"Politiebureau Zuid en online: {JOIN}"


def test_physical_meeting_carries_no_link():
    for meeting in (make_meeting(form=MeetingForm.fysiek, online_url=JOIN), make_meeting(form=MeetingForm.online)):
        cal = request(meeting)
        event = cal.ical.walk("VEVENT")[0]
        assert "CONFERENCE" not in event and "X-GOOGLE-CONFERENCE" not in event and "teams" not in cal.text
        assert "Online deelnemen" not in str(event["DESCRIPTION"])

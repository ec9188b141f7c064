"""The messages as partners receive them, over a real SMTP server (aiosmtpd), parsed back
with the standard `email` package: recipients, headers, both parts, the invite — and the
absence of everything a mail must never carry."""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default as default_policy

import icalendar
import pytest
from sqlalchemy import func, select

from actieoverleg import mail, meeting_steps, outbox
from actieoverleg.clock import local_today
from actieoverleg.demo import load_demo
from actieoverleg.extensions import db
from actieoverleg.formatting import datumtijd, local
from actieoverleg.models import ActionPoint, Case, OutboxMessage, User
from actieoverleg.vocab import (
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Handover,
    MailMode,
)

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

RR_MEMBERS = {"chair@rr.example", "vt@rr.example", "politie@rr.example", "politie2@rr.example"}
# What a mail must never carry (docs/rules.md §6): categories, assessment, file reference, hand-over.
FORBIDDEN = [
    "VT-2026-0042",
    CaseKind.hg.label,
    CaseReason.samenloop.label,
    Assessment.acuut.label,
    Handover.mda.label,
    "Samenloop",
    "Huiselijk",
]


HELD = {"al_gehouden": "ja"}  # the test meeting lies ahead: the chair confirms it was held


@pytest.fixture
def config(config, smtp):
    return dict(config, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    """The first part of each content type (the invite appears twice: inline and attached)."""
    found: dict[str, EmailMessage] = {}
    for part in message.walk():
        found.setdefault(part.get_content_type(), part)
    return found


def text_of(message: EmailMessage) -> str:
    p = parts(message)
    return p["text/plain"].get_content() + p["text/html"].get_content()


def invite_of(message: EmailMessage) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(parts(message)["text/calendar"].get_content())


def assert_clean(message: EmailMessage) -> None:
    body = text_of(message) + (
        parts(message)["text/calendar"].get_content() if "text/calendar" in parts(message) else ""
    )
    for word in FORBIDDEN:
        assert word not in body, word


def assert_well_formed(message: EmailMessage) -> None:
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@actieoverleg.test>")
    assert message["From"] == "Actie-overleg <noreply@actieoverleg.test>"
    assert len(message.get_all("To")) == 1 and "," not in message["To"]
    assert message["Cc"] is None and message["Bcc"] is None
    assert "https://actieoverleg.test/profiel" in text_of(message)  # change your preferences


def test_agenda_goes_to_every_member_individually_with_an_invite(world, login_as, smtp):
    response = login_as(world.chair).post(f"/overleggen/{world.meeting.id}/agenda/versturen", follow_redirects=True)
    assert "De agenda is verstuurd naar 4 deelnemer(s)" in response.get_data(as_text=True)
    inbox = smtp.inbox
    assert sorted(r for _, rcpts in inbox.envelopes for r in rcpts) == sorted(RR_MEMBERS)
    assert len(set(inbox.message_ids())) == 4
    politie = inbox.to("politie@rr.example")[0]
    assert politie["Subject"] == f"Agenda: Actie-overleg Rotterdam-Rijnmond, {datumtijd(world.meeting.starts_at)}"
    assert_well_formed(politie)
    assert_clean(politie)
    text = parts(politie)["text/plain"].get_content()
    assert world.case.code in text and "Informatie gevraagd van Politie:" in text
    assert f"https://actieoverleg.test/overleggen/{world.meeting.id}/agenda/" in text
    assert "<table" in parts(politie)["text/html"].get_content()
    calendar_part = parts(politie)["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    assert politie.get_content_type() == "multipart/mixed"
    alternative = next(p for p in politie.iter_parts())
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    attached = [p for p in politie.iter_attachments()]
    assert [(p.get_content_type(), p.get_filename()) for p in attached] == [("application/ics", "uitnodiging.ics")]
    assert attached[0].get_content() == calendar_part.get_content().encode()
    cal = invite_of(politie)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == "mailto:politie@rr.example"  # one attendee: only them
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert world.case.code not in parts(politie)["text/calendar"].get_content()
    # the VT member is not asked for information on that case: VT was, Politie was
    assert "Informatie gevraagd van VT" in parts(inbox.to("vt@rr.example")[0])["text/plain"].get_content()
    assert "Informatie gevraagd" not in parts(inbox.to("chair@rr.example")[0])["text/plain"].get_content()


def test_sending_again_is_an_update_with_the_same_uid(world, login_as, smtp):
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    # sent again at the very same (pinned) instant: still a second mail, not taken for a duplicate
    response = chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen", follow_redirects=True)
    assert "De gewijzigde agenda is verstuurd" in response.get_data(as_text=True)
    first, second = smtp.inbox.to("vt@rr.example")
    assert second["Subject"].startswith("Gewijzigde agenda: ")
    assert "De agenda is gewijzigd." in parts(second)["text/plain"].get_content()
    uid = {str(invite_of(m).walk("VEVENT")[0]["UID"]) for m in (first, second)}
    assert uid == {f"meeting-{world.meeting.id}@actieoverleg.test"}
    assert first["Message-ID"] != second["Message-ID"]
    assert "Gewijzigde agenda versturen" in chair.get(f"/overleggen/{world.meeting.id}/agenda/").get_data(as_text=True)


def move(client, meeting, hours: int = 1, location: str = "Zaal 3"):
    db.session.refresh(meeting)
    start = local(meeting.starts_at) + dt.timedelta(hours=hours)
    return client.post(
        f"/overleggen/{meeting.id}/wijzigen",
        data={
            "day": start.date().isoformat(),
            "time": start.strftime("%H:%M"),
            "duration_minutes": 120,
            "location": location,
            "form": "fysiek",
        },
        follow_redirects=True,
    )


def test_a_moved_meeting_sends_the_updated_invite_with_a_higher_sequence(world, login_as, smtp):
    chair = login_as(world.chair)
    move(chair, world.meeting)  # before the agenda went out: nobody to tell
    assert smtp.inbox.messages == []
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    response = move(chair, world.meeting)
    assert "4 deelnemer(s) krijgen de bijgewerkte uitnodiging" in response.get_data(as_text=True)
    change = smtp.inbox.to("politie@rr.example")[-1]
    assert change["Subject"].startswith("Gewijzigd: Actie-overleg Rotterdam-Rijnmond")
    event = invite_of(change).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 2 and str(event["LOCATION"]) == "Zaal 3"
    assert "Zaal 3" in parts(change)["text/plain"].get_content()
    assert_clean(change)
    assert "niets gewijzigd" in move(chair, world.meeting, hours=0).get_data(as_text=True)
    assert len(smtp.inbox.to("politie@rr.example")) == 2


def test_cancelling_sends_the_cancelling_invite(world, login_as, smtp):
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    response = chair.post(f"/overleggen/{world.meeting.id}/annuleren", follow_redirects=True)
    assert "4 deelnemer(s) krijgen de afzegging" in response.get_data(as_text=True)
    cancel = smtp.inbox.to("vt@rr.example")[-1]
    assert cancel["Subject"].startswith("Afgelast: Actie-overleg Rotterdam-Rijnmond")
    assert parts(cancel)["text/calendar"].get_param("method") == "CANCEL"
    cal = invite_of(cancel)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"meeting-{world.meeting.id}@actieoverleg.test"
    assert "gaat niet door" in parts(cancel)["text/plain"].get_content()
    assert_well_formed(cancel)


def close_meeting(world, client):
    meeting_steps.record_step1(world.item, [world.vt, world.politie], Assessment.acuut, world.chair)
    meeting_steps.record_step3(world.item, Handover.mda, None, world.chair)
    meeting_steps.record_attendance(
        world.meeting, world.vt, AttendanceStatus.aanwezig, True, AttendanceForm.fysiek, world.chair
    )
    db.session.commit()
    return client.post(f"/overleggen/{world.meeting.id}/afsluiten", data=HELD, follow_redirects=True)


def test_follow_up_gives_each_organisation_its_own_points(world, login_as, smtp):
    world.action.assignee = world.politie_user2
    db.session.commit()
    close_meeting(world, login_as(world.chair))
    inbox = smtp.inbox
    assert sorted(r for _, rcpts in inbox.envelopes for r in rcpts) == sorted(RR_MEMBERS)
    politie = inbox.to("politie@rr.example")[0]
    assert politie["Subject"].startswith("Actiepunten na het Actie-overleg Rotterdam-Rijnmond")
    text = parts(politie)["text/plain"].get_content()
    assert "Nieuwe actiepunten (1):" in text
    assert (
        f"{world.case.code} · Politie plant verhoor · uiterlijk {world.action.due_date:%d-%m-%Y} · "
        f"{world.politie_user2.name}" in text
    )
    assert f"Besproken casussen: {world.case.code}" in text
    assert_well_formed(politie)
    assert_clean(politie)
    assert "text/calendar" not in parts(politie)
    vt = parts(inbox.to("vt@rr.example")[0])["text/plain"].get_content()
    assert "Politie plant verhoor" not in vt and "Nieuwe actiepunten (0):" in vt
    assert "ZHZ" not in text and world.other_case.code not in text  # another region's point


def test_link_only_mails_carry_counts_and_no_codes_or_texts(world, login_as, smtp):
    client = login_as(world.politie_user)
    response = client.post("/profiel/mail", data={"mail_mode": "link"}, follow_redirects=True)
    assert "Uw mail-voorkeur is opgeslagen" in response.get_data(as_text=True)
    close_meeting(world, login_as(world.chair))
    brief = smtp.inbox.to("politie@rr.example")[0]
    body = text_of(brief)
    assert "Er is 1 nieuw(e) en 0 openstaand(e) actiepunt(en) voor Politie." in body
    assert world.case.code not in body and "Politie plant verhoor" not in body
    full = text_of(smtp.inbox.to("politie2@rr.example")[0])
    assert world.case.code in full and "Politie plant verhoor" in full


def test_mail_preference_rejects_an_unknown_choice_in_dutch(world, login_as):
    response = login_as(world.vt_user).post("/profiel/mail", data={"mail_mode": "alles"})
    assert response.status_code == 422 and "Not a valid choice" not in response.get_data(as_text=True)
    assert db.session.get(User, world.vt_user.id).mail_mode is MailMode.volledig


def test_reminders_send_one_digest_per_member_once_a_day(world, runner, smtp):
    result = runner.invoke(args=["reminders", "send"])
    assert "2 reminder(s) queued" in result.output, result.output
    # Politie in RR has an overdue point; ZHZ's point is due in 7 days (beyond 3); VT has none
    assert sorted(r for _, rcpts in smtp.inbox.envelopes for r in rcpts) == [
        "politie2@rr.example",
        "politie@rr.example",
    ]
    digest = smtp.inbox.to("politie@rr.example")[0]
    assert digest["Subject"] == f"Herinnering: actiepunten {local_today():%d-%m-%Y}"
    assert "Over de termijn (1):" in parts(digest)["text/plain"].get_content()
    assert_well_formed(digest)
    assert_clean(digest)
    again = runner.invoke(args=["reminders", "send"])
    assert "0 reminder(s) queued" in again.output and len(smtp.inbox.messages) == 2
    later = runner.invoke(args=["reminders", "send", "--date", (local_today() + dt.timedelta(days=4)).isoformat()])
    assert "3 reminder(s) queued" in later.output  # ZHZ's point is now within 3 days


def test_without_a_mail_server_mails_are_eml_files(app, world, login_as, tmp_path):
    app.config["MAIL_SERVER"] = None
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    files = sorted((tmp_path / "mail").glob("*.eml"))  # right after the request, no command
    assert len(files) == 4 and all(f.name.endswith("-agenda.eml") for f in files)
    parsed = [email.message_from_bytes(f.read_bytes(), policy=default_policy) for f in files]
    assert {m["To"].addresses[0].addr_spec for m in parsed} == RR_MEMBERS
    assert all(parts(m)["text/calendar"].get_param("method") == "REQUEST" for m in parsed)
    assert not list((tmp_path / "mail").glob("*.tmp"))


def test_reminders_over_a_realistic_demo_week(app, config, smtp):
    load_demo("demo-wachtwoord-1")
    db.session.commit()
    outbox.deliver_all()
    start = local_today()
    for offset in range(1, 8):
        day = start + dt.timedelta(days=offset)
        before = len(smtp.inbox.messages)
        queued = mail.reminders(day)
        db.session.commit()
        outbox.deliver_all()
        todays = smtp.inbox.messages[before:]
        recipients = [m["To"].addresses[0].addr_spec for m in todays]
        assert len(todays) == queued and len(recipients) == len(set(recipients)), day
        for message in todays:  # each digest lists exactly the member's due points
            user = db.session.scalar(select(User).where(User.email == message["To"].addresses[0].addr_spec))
            expected = _due_points(user, day)
            assert parts(message)["text/plain"].get_content().count(" · uiterlijk ") == expected > 0
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status != "verzonden")) is None


def _due_points(user: User, day: dt.date) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ActionPoint)
        .join(Case, Case.id == ActionPoint.case_id)
        .where(
            ActionPoint.organisation_id == user.organisation_id,
            Case.region_id.in_(user.region_ids),
            ActionPoint.status == ActionStatus.open,
            ActionPoint.due_date <= day + dt.timedelta(days=3),
        )
    )

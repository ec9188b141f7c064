"""The messages as partners receive them, over a real SMTP server (aiosmtpd), parsed back
with the standard `email` package: recipients, headers, both parts, the invite — and the
absence of everything a mail must never carry."""

from __future__ import annotations

import datetime as dt
import email
import re
import subprocess
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import func, select

from actieoverleg import agenda, mail, meeting_steps, outbox, permissions
from actieoverleg.addresses import LOCAL_URL
from actieoverleg.clock import local_today
from actieoverleg.demo import load_demo
from actieoverleg.extensions import db
from actieoverleg.formatting import datum_lang, datumtijd, local
from actieoverleg.models import ActionPoint, Case, OutboxMessage, User
from actieoverleg.vocab import (
    ActionKind,
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Handover,
    MailMode,
    Role,
)

from .conftest import Auth

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"https?://[^\s<>\"]+")
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


def move(client, meeting, hours: int = 1, location: str = "Zaal 3", **fields: str):
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
            **fields,
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
        f"{world.case.code} · Politie plant verhoor · uiterlijk {world.action.due_date:%d-%m-%Y} (verlopen) · "
        f"{world.politie_user2.name}" in text
    )
    assert f"Besproken casussen: {world.case.code}" in text
    assert_well_formed(politie)
    assert_clean(politie)
    assert "text/calendar" not in parts(politie)
    vt = parts(inbox.to("vt@rr.example")[0])["text/plain"].get_content()
    assert "Politie plant verhoor" not in vt and "Nieuwe actiepunten (0):" in vt
    assert "ZHZ" not in text and world.other_case.code not in text  # another region's point


def test_follow_up_names_the_deferred_codes_and_where_they_went(world, login_as, make_meeting, make_case, smtp):
    later = make_meeting(world.rr, days=14)
    deferred = make_case(world.meeting, world.vt, world.vt_user).items[0]
    agenda.defer(deferred, world.chair)
    db.session.commit()
    close_meeting(world, login_as(world.chair))
    message = smtp.inbox.to("vt@rr.example")[0]
    line = f"Doorgeschoven naar het overleg van {local(later.starts_at):%d-%m-%Y}: {deferred.case.code}"
    text, html = parts(message)["text/plain"].get_content(), parts(message)["text/html"].get_content()
    assert line in text and f"Besproken casussen: {world.case.code}\r\n" in text
    assert f"{deferred.case.code}</span>" in html and "Doorgeschoven naar het overleg van" in html


def test_an_uninvolved_organisation_gets_no_detail_of_the_case_by_mail(world, login_as, make_user, runner, smtp):
    """Need to know by mail (docs/rules.md §8): an organisation at the table that takes no part in
    the case gets its code on the agenda and among the codes discussed, never its points, nor in
    the reminders."""
    om = make_user(Role.deelnemer, world.om, [world.rr], email="om@rr.example")
    assert not permissions.organisation_involved(world.case, world.om.id)
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    close_meeting(world, chair)
    runner.invoke(args=["reminders", "send"])
    mails = [text_of(m) for m in smtp.inbox.to(om.email)]
    assert len(mails) == 2  # the agenda and the follow-up; no reminder: OM owns no point
    assert all(world.case.code in text for text in mails)
    for text in mails:
        assert "Politie plant verhoor" not in text and Assessment.acuut.label not in text
        assert Handover.mda.label not in text and "VT-2026-0042" not in text


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


def links_in(message: EmailMessage) -> set[str]:
    """Every address a recipient can click: both parts and the invite."""
    texts = [p.get_content() for t, p in parts(message).items() if t in ("text/plain", "text/html", "text/calendar")]
    return set(LINK.findall("\n".join(texts).replace("\r\n ", "")))


def make_run_environment(**variables: str) -> dict[str, str]:
    """The variables `make run` puts before `flask run`, read from make's own dry run."""
    plan = subprocess.run(
        ["make", "-n", "run", *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serve = next(line for line in plan.splitlines() if " run --host " in line)
    demo = next(line for line in plan.splitlines() if " demo " in line)
    assignments = [
        dict(w.split("=", 1) for w in line.split() if re.fullmatch(r"[A-Z_]+=\S*", w)) for line in (serve, demo)
    ]
    assert assignments[0]["ACTIEOVERLEG_BASE_URL"] == assignments[1]["ACTIEOVERLEG_BASE_URL"]  # the demo's mails too
    return assignments[0]


def test_make_run_on_another_port_links_there(app, world, login_as, smtp, monkeypatch):
    environment = make_run_environment(PORT="5055")
    monkeypatch.setenv("ACTIEOVERLEG_BASE_URL", environment["ACTIEOVERLEG_BASE_URL"])
    del app.config["BASE_URL"]
    app.config.from_prefixed_env("ACTIEOVERLEG")  # as create_app reads it
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    links = links_in(smtp.inbox.to("vt@rr.example")[0])
    assert f"http://127.0.0.1:5055/overleggen/{world.meeting.id}/agenda/" in links
    assert links and all(link.startswith("http://127.0.0.1:5055/") for link in links), links
    assert make_run_environment(BASE_URL="https://actieoverleg.example.nl")["ACTIEOVERLEG_BASE_URL"] == (
        "https://actieoverleg.example.nl"
    )


def test_without_base_url_links_follow_the_address_the_request_came_in_on(app, world, login_as, runner, smtp):
    app.config["BASE_URL"] = None
    served = {"base_url": "http://127.0.0.1:5055"}  # as `flask run -p 5055` is reached
    chair = app.test_client()
    assert Auth(chair).login(world.chair, **served).status_code == 303
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen", **served)
    links = links_in(smtp.inbox.to("vt@rr.example")[0])
    assert links and all(link.startswith("http://127.0.0.1:5055/") for link in links), links
    runner.invoke(args=["reminders", "send"])  # no request: the local default
    links = links_in(smtp.inbox.to("politie@rr.example")[-1])
    assert links and all(link.startswith(LOCAL_URL + "/") for link in links), links


def plain(message: EmailMessage) -> str:
    return parts(message)["text/plain"].get_content()


def html(message: EmailMessage) -> str:
    return parts(message)["text/html"].get_content()


def test_a_changed_agenda_says_which_codes_came_and_went(world, login_as, make_case, smtp):
    # not yet discussed, so the chair may take it off again (the world's case has a point already)
    leaving = make_case(world.meeting, world.politie, world.politie_user, needed=[world.vt])
    db.session.commit()
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    first = smtp.inbox.to("vt@rr.example")[0]
    assert "Nieuw op de agenda" not in text_of(first) and "Van de agenda" not in text_of(first)
    newcomer = make_case(world.meeting, world.vt, world.vt_user, needed=[world.vt])
    agenda.remove(next(i for i in world.meeting.items if i.case is leaving), world.chair)
    db.session.commit()
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    second = smtp.inbox.to("vt@rr.example")[-1]
    assert second["Subject"].startswith("Gewijzigde agenda: ")
    assert f"Nieuw op de agenda: {newcomer.code}\r\nVan de agenda: {leaving.code}\r\n" in plain(second)
    assert f'Nieuw op de agenda: <span style="font-family:Consolas,monospace;">{newcomer.code}</span>' in html(second)
    assert f"Op de agenda (2):\r\n- {world.case.code}" in plain(second) and f"- {newcomer.code}\r\n" in plain(second)
    assert f"- {leaving.code}" not in plain(second)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")  # nothing changed since
    assert "Nieuw op de agenda: geen\r\nVan de agenda: geen" in plain(smtp.inbox.to("vt@rr.example")[-1])


def test_a_changed_agenda_gives_link_only_members_counts_not_codes(world, login_as, make_case, smtp):
    world.politie_user.mail_mode = MailMode.link
    db.session.commit()
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    newcomer = make_case(world.meeting, world.vt, world.vt_user, needed=[world.vt])
    db.session.commit()
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    brief = smtp.inbox.to("politie@rr.example")[-1]
    assert "Sinds de vorige versie: 1 nieuw op de agenda, 0 van de agenda." in plain(brief)
    assert newcomer.code not in text_of(brief) and world.case.code not in text_of(brief)


def test_a_changed_meeting_shows_what_was_and_what_is(world, login_as, smtp):
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    was = world.meeting.starts_at
    link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Njk1;context=RR"
    move(chair, world.meeting, hours=1, location="Zaal 3", form="hybride", online_url=link)
    change = smtp.inbox.to("politie@rr.example")[-1]
    text = plain(change)
    now = world.meeting.starts_at
    assert now - was == dt.timedelta(hours=1)
    assert (
        f"- Wanneer: {datum_lang(was)}, {local(was):%H:%M} uur (120 minuten) → "
        f"{datum_lang(now)}, {local(now):%H:%M} uur (120 minuten)\r\n" in text
    )
    assert "- Waar: – → Zaal 3\r\n" in text and "- Vorm: Fysiek → Hybride\r\n" in text
    assert f"- Link: – → {link}\r\n" in text
    assert '<th align="left">Was</th><th align="left">Wordt</th>' in html(change)
    assert "<s>Fysiek</s>" in html(change) and "<strong>Hybride</strong>" in html(change)
    event = invite_of(change).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == f"Zaal 3 en online: {link}" and str(event["CONFERENCE"]) == link
    # only what changed is listed: another hour later, the place and form stay
    move(chair, world.meeting, hours=1, location="Zaal 3", form="hybride", online_url=link)
    text = plain(smtp.inbox.to("politie@rr.example")[-1])
    assert "- Wanneer: " in text and "- Waar: " not in text and "- Vorm: " not in text and "- Link: " not in text


def test_a_cancellation_names_the_date_the_cases_move_to(world, login_as, make_meeting, smtp):
    later = make_meeting(world.rr, days=14)
    db.session.commit()
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/annuleren")
    cancel = smtp.inbox.to("politie@rr.example")[-1]
    expected = f"De 1 casus(sen) op de agenda schuiven door naar {datum_lang(later.starts_at)} om 13:00 uur."
    assert expected in plain(cancel)
    assert f"https://actieoverleg.test/overleggen/{later.id}/agenda/" in plain(cancel)
    assert datum_lang(later.starts_at) in html(cancel) and f"/overleggen/{later.id}/agenda/" in html(cancel)


def test_a_cancellation_without_a_next_meeting_says_so(world, login_as, smtp):
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/annuleren")
    assert "Er is nog geen volgend overleg gepland." in plain(smtp.inbox.to("vt@rr.example")[-1])


def test_the_calendar_cancel_goes_only_to_those_who_had_the_invite(world, login_as, make_user, smtp):
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    late = make_user(Role.deelnemer, world.vt, [world.rr], email="later@rr.example")  # joined after the agenda
    db.session.commit()
    chair.post(f"/overleggen/{world.meeting.id}/annuleren")
    invited = smtp.inbox.to("politie@rr.example")[-1]
    assert parts(invited)["text/calendar"].get_param("method") == "CANCEL"
    assert [p.get_filename() for p in invited.iter_attachments()] == ["uitnodiging.ics"]
    assert "De bijgevoegde afzegging haalt het overleg uit uw agenda." in plain(invited)
    [message] = smtp.inbox.to(late.email)
    assert message["Subject"].startswith("Afgelast: ")
    assert message.get_content_type() == "multipart/alternative"
    assert {p.get_content_type() for p in message.walk()} == {"multipart/alternative", "text/plain", "text/html"}
    assert list(message.iter_attachments()) == []
    assert "gaat niet door" in plain(message) and "afzegging" not in text_of(message)


def test_whoever_got_the_updated_invite_gets_the_cancel_too(world, login_as, make_user, smtp):
    chair = login_as(world.chair)
    chair.post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    late = make_user(Role.deelnemer, world.vt, [world.rr], email="later@rr.example")
    db.session.commit()
    move(chair, world.meeting)  # the change reaches the newcomer with the invite
    assert parts(smtp.inbox.to(late.email)[-1])["text/calendar"].get_param("method") == "REQUEST"
    chair.post(f"/overleggen/{world.meeting.id}/annuleren")
    assert parts(smtp.inbox.to(late.email)[-1])["text/calendar"].get_param("method") == "CANCEL"


def test_nobody_gets_a_calendar_cancel_when_no_invite_went_out(world, login_as, smtp):
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/annuleren")
    assert len(smtp.inbox.messages) == 4
    assert all("text/calendar" not in parts(m) and not list(m.iter_attachments()) for m in smtp.inbox.messages)


def test_overdue_points_are_marked_verlopen_in_the_reminder(world, make_action, runner, smtp):
    soon = make_action(world.item, world.politie, world.chair, due_in=2, text="Politie spreekt pleger aan")
    db.session.commit()
    runner.invoke(args=["reminders", "send"])
    digest = smtp.inbox.to("politie@rr.example")[0]
    text = plain(digest)
    assert f"· Politie plant verhoor · uiterlijk {world.action.due_date:%d-%m-%Y} (verlopen) · " in text
    assert f"· Politie spreekt pleger aan · uiterlijk {soon.due_date:%d-%m-%Y} · " in text
    assert text.count("(verlopen)") == 1
    assert f"{world.action.due_date:%d-%m-%Y}<br>verlopen</td>" in html(digest)
    assert f"{soon.due_date:%d-%m-%Y}</td>" in html(digest)


def test_an_online_meeting_carries_its_link_in_the_mail_and_the_invite(world, login_as, smtp):
    link = "https://zoom.us/j/98765432101?pwd=abc"
    world.meeting.form, world.meeting.online_url = world.meeting.form.online, link
    db.session.commit()
    login_as(world.chair).post(f"/overleggen/{world.meeting.id}/agenda/versturen")
    message = smtp.inbox.to("vt@rr.example")[0]
    assert f"Online:  {link}\r\n" in plain(message)
    assert f'<a href="{link}" style="color:#154273;">Deelnemen aan het online overleg</a>' in html(message)
    event = invite_of(message).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == str(event["CONFERENCE"]) == str(event["X-GOOGLE-CONFERENCE"]) == link
    assert f"Online deelnemen: {link}" in str(event["DESCRIPTION"])


def reopen(client, meeting):
    response = client.post(f"/overleggen/{meeting.id}/heropenen", data={"reason": "correctie_actiepunt"})
    assert response.headers["Location"].endswith(f"/overleggen/{meeting.id}/vergadering/"), "not reopened"


def test_closing_again_unchanged_sends_no_correction(world, login_as, smtp):
    chair = login_as(world.chair)
    close_meeting(world, chair)
    assert len(smtp.inbox.messages) == 4
    reopen(chair, world.meeting)
    response = chair.post(f"/overleggen/{world.meeting.id}/afsluiten", data=HELD, follow_redirects=True)
    assert "Er zijn geen actiepunten veranderd: er gaat geen correctie uit." in response.get_data(as_text=True)
    assert len(smtp.inbox.messages) == 4


def test_closing_again_sends_a_correction_only_to_organisations_whose_points_changed(world, login_as, smtp):
    chair = login_as(world.chair)
    close_meeting(world, chair)
    reopen(chair, world.meeting)
    item = db.session.get(type(world.item), world.item.id)
    due = local_today() + dt.timedelta(days=10)  # the meeting is a week ahead
    meeting_steps.add_action(
        item, world.politie, "Politie spreekt pleger aan", ActionKind.directe, due, None, world.chair
    )
    db.session.commit()
    response = chair.post(f"/overleggen/{world.meeting.id}/afsluiten", data=HELD, follow_redirects=True)
    assert "2 deelnemer(s) krijgen een correctie van hun actiepunten." in response.get_data(as_text=True)
    corrections = smtp.inbox.messages[4:]
    assert sorted(m["To"].addresses[0].addr_spec for m in corrections) == ["politie2@rr.example", "politie@rr.example"]
    correction = smtp.inbox.to("politie@rr.example")[-1]
    assert correction["Subject"].startswith("Correctie: Actiepunten na het Actie-overleg Rotterdam-Rijnmond")
    assert plain(correction).startswith("Correctie: het verslag is heropend en aangepast.")
    assert "Correctie.</strong>" in html(correction) and "Correctie: actiepunten voor Politie" in html(correction)
    assert "Nieuwe actiepunten (2):" in plain(correction) and "Politie spreekt pleger aan" in plain(correction)
    assert_clean(correction)
    # reopened and closed once more without a change: nothing
    reopen(chair, world.meeting)
    chair.post(f"/overleggen/{world.meeting.id}/afsluiten", data=HELD)
    assert len(smtp.inbox.messages) == 6

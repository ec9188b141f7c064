"""The durable outbox against a real SMTP server (aiosmtpd) and real sender processes.

Faults: the server down then up, 4xx then success, 5xx for one recipient, a sender killed
mid-run, two senders at once. The promise: nothing lost, nothing delivered twice.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from actieoverleg import lifecycle, meeting_steps, outbox
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Meeting, OutboxMessage
from actieoverleg.vocab import Assessment, AttendanceStatus, Handover, MailKind, MeetingStatus, OutboxStatus

from .conftest import TEST_NOW, flask_command
from .smtp_server import SMTPServer

NOW = TEST_NOW.astimezone(dt.timezone.utc)  # the pinned instant every test starts at
pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


@pytest.fixture
def config(config, smtp):
    return dict(config, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, OUTBOX_RETRY_SECONDS=60)


def message(n: int, to: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Bericht {n}"
    msg["From"] = "Actie-overleg <noreply@actieoverleg.test>"
    msg["To"] = to or f"lid{n}@partner.test"
    msg["Message-ID"] = make_msgid(domain="actieoverleg.test")
    msg.set_content(f"Inhoud {n}")
    return msg


def queue(count: int, **kw) -> list[int]:
    for n in range(count):
        outbox.enqueue(message(n, **kw), kind=MailKind.herinnering, dedup_key=f"test:{n}", user_id=None)
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_delivers_each_message_once_with_its_own_message_id(app, smtp):
    queue(3)
    report = outbox.deliver()
    assert (report.sent, report.retry, report.failed) == (3, 0, 0)
    assert outbox.deliver().sent == 0  # a second run finds nothing due
    assert sorted(smtp.inbox.message_ids()) == sorted(r.message_id for r in rows())
    assert [env[1] for env in smtp.inbox.envelopes] == [
        ["lid0@partner.test"],
        ["lid1@partner.test"],
        ["lid2@partner.test"],
    ]
    assert all(r.status is OutboxStatus.verzonden and r.attempts == 1 for r in rows())


def test_enqueue_is_idempotent_per_key(app, smtp):
    assert outbox.enqueue(message(1), kind=MailKind.herinnering, dedup_key="k", user_id=None)
    assert not outbox.enqueue(message(2), kind=MailKind.herinnering, dedup_key="k", user_id=None)
    db.session.commit()
    assert len(rows()) == 1


def test_mails_commit_with_the_change_that_caused_them_or_not_at_all(app, world, smtp):
    def close() -> None:
        meeting_steps.record_step1(world.item, [world.vt], Assessment.acuut, world.chair)
        meeting_steps.record_step3(world.item, Handover.mda, None, world.chair)
        meeting_steps.record_attendance(world.meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
        lifecycle.close(world.meeting, world.chair, before_start=True)  # enqueues the follow-up

    close()
    assert db.session.scalar(select(OutboxMessage.id)) is not None  # in the transaction...
    db.session.rollback()  # ...the save fails
    assert rows() == []
    assert db.session.get(Meeting, world.meeting.id).status is MeetingStatus.gepland
    close()
    db.session.commit()
    assert {r.kind for r in rows()} == {MailKind.verslag} and len(rows()) == 4  # one per RR member


def test_server_down_then_up_delivers_once_after_the_back_off(app, config):
    down = SMTPServer()
    app.config["MAIL_PORT"] = down.port  # nothing listens there yet
    queue(2)
    now = NOW
    report = outbox.deliver(now=now)
    assert (report.sent, report.retry, report.stopped) == (0, 1, True)  # stops at the first refusal
    first, second = rows()
    assert first.status is OutboxStatus.wachtend and first.attempts == 1
    assert first.error == "Mailserver onbereikbaar"
    assert first.next_attempt_at - now == dt.timedelta(seconds=60)
    assert second.attempts == 0  # not burnt while the server is down
    down.start()
    try:
        report = outbox.deliver(now=now + dt.timedelta(seconds=1))
        assert report.sent == 1  # the second; the first waits for its back-off
        assert outbox.deliver(now=now + dt.timedelta(seconds=61)).sent == 1
        assert sorted(down.inbox.message_ids()) == sorted(r.message_id for r in rows())
        assert [r.attempts for r in rows()] == [2, 1]
    finally:
        down.stop()


def test_back_off_doubles_and_is_capped(app):
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == dt.timedelta(hours=6)


@pytest.mark.parametrize("where", ["rcpt", "data"])
def test_a_4xx_is_retried_then_delivered_once(app, smtp, where):
    queue(1, to="druk@partner.test")
    if where == "rcpt":
        smtp.inbox.refuse["druk@partner.test"] = "450 4.2.1 mailbox busy"
    else:
        smtp.inbox.data_replies.append("451 4.3.0 try again later")
    now = NOW
    assert outbox.deliver(now=now).retry == 1
    (row,) = rows()
    assert row.status is OutboxStatus.wachtend and row.error.startswith("SMTP 45")
    smtp.inbox.refuse.clear()
    assert outbox.deliver(now=now + dt.timedelta(seconds=61)).sent == 1
    assert smtp.inbox.message_ids() == [row.message_id]


def test_too_many_temporary_failures_end_as_failed(app, smtp):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    queue(1)
    smtp.inbox.data_replies += ["451 later", "451 later"]
    now = NOW
    outbox.deliver(now=now)
    outbox.deliver(now=now + dt.timedelta(hours=1))
    (row,) = rows()
    assert row.status is OutboxStatus.mislukt and row.attempts == 2 and smtp.inbox.messages == []


def test_a_5xx_for_one_recipient_fails_only_that_one_and_the_admin_can_retry(app, world, smtp, login_as):
    for n, to in enumerate(["a@partner.test", "onbekend@partner.test", "c@partner.test"]):
        outbox.enqueue(message(n, to=to), kind=MailKind.agenda, dedup_key=f"k{n}", user_id=None)
    db.session.commit()
    smtp.inbox.refuse["onbekend@partner.test"] = "550 5.1.1 no such user"
    report = outbox.deliver()
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(e[1][0] for e in smtp.inbox.envelopes) == ["a@partner.test", "c@partner.test"]
    failed = rows()[1]
    assert failed.status is OutboxStatus.mislukt and failed.error == "SMTP 550: ontvanger geweigerd"

    admin = login_as(world.admin)
    assert "1 mislukt" in admin.get("/beheer/").get_data(as_text=True)
    page = admin.get("/beheer/outbox/?status=mislukt").get_data(as_text=True)
    assert "onbekend@partner.test" in page and "SMTP 550: ontvanger geweigerd" in page
    assert "Opnieuw versturen" in page and "a@partner.test" not in page
    assert "Inhoud 1" not in admin.get("/beheer/outbox/").get_data(as_text=True)  # never a body

    smtp.inbox.refuse.clear()  # the address was fixed at the partner
    response = admin.post(f"/beheer/outbox/{failed.id}/opnieuw", follow_redirects=True)
    assert "staat weer in de wachtrij" in response.get_data(as_text=True)
    assert rows()[1].status is OutboxStatus.verzonden  # sent right after the request
    assert [e[1][0] for e in smtp.inbox.envelopes].count("onbekend@partner.test") == 1
    (event,) = db.session.scalars(select(AuditEvent).filter_by(action="retry"))
    assert (event.object_type, event.object_id, event.user_id, event.detail) == (
        "OutboxMessage",
        failed.id,
        world.admin.id,
        "",
    )


def test_retry_gives_a_failed_message_fresh_attempts_once_committed(app, world):
    queue(1)
    (row,) = rows()
    row.status, row.attempts, row.error = OutboxStatus.mislukt, 5, "SMTP 550: ontvanger geweigerd"
    db.session.commit()
    outbox.retry(row, by=world.admin)
    db.session.rollback()
    assert rows()[0].status is OutboxStatus.mislukt
    assert db.session.scalars(select(AuditEvent).filter_by(action="retry")).all() == []

    outbox.retry(rows()[0], by=world.admin)
    db.session.commit()
    (row,) = rows()
    assert (row.status, row.attempts, row.error, row.next_attempt_at) == (OutboxStatus.wachtend, 0, "", NOW)
    assert db.session.scalars(select(AuditEvent.user_id).filter_by(action="retry", object_id=row.id)).all() == [
        world.admin.id
    ]


def test_only_the_admin_sees_the_outbox(world, login_as):
    assert login_as(world.chair).get("/beheer/outbox/").status_code == 403


def test_a_claim_left_by_a_dead_sender_is_retried_only_if_nothing_was_handed_over(app, smtp):
    before, during = queue(2)
    long_ago = NOW - dt.timedelta(hours=1)
    for row, started in zip(rows(), (False, True)):
        row.status, row.claimed_by, row.claimed_at, row.attempts = OutboxStatus.bezig, "dead", long_ago, 1
        row.data_started = started
    db.session.commit()
    assert outbox.recover() == 2
    assert outbox.deliver().sent == 1
    first, second = rows()
    assert first.status is OutboxStatus.verzonden
    assert second.status is OutboxStatus.mislukt and second.error == outbox.UNCERTAIN
    assert smtp.inbox.message_ids() == [first.message_id]


def test_sent_messages_are_deleted_after_the_keep_period(app, smtp):
    queue(1)
    outbox.deliver()
    outbox.recover(now=NOW + dt.timedelta(days=31))
    assert rows() == []


# --- real sender processes ----------------------------------------------------------------


def sender_env(app, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ACTIEOVERLEG_SECRET_KEY": "test",
            "ACTIEOVERLEG_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "ACTIEOVERLEG_MAIL_SERVER": "127.0.0.1",
            "ACTIEOVERLEG_MAIL_PORT": str(app.config["MAIL_PORT"]),
            "ACTIEOVERLEG_MAIL_DIR": app.config["MAIL_DIR"],
        }
    )
    env.update({f"ACTIEOVERLEG_{k}": str(v) for k, v in extra.items()})
    return env


def sender(app, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        flask_command("outbox", "send"),
        env=sender_env(app, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_senders_at_once_deliver_every_message_exactly_once(app, smtp):
    queue(40)
    smtp.inbox.delay = 0.01  # keep both senders busy at the same time
    first, second = sender(app, OUTBOX_BATCH_SIZE=7), sender(app, OUTBOX_BATCH_SIZE=7)
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    ids = smtp.inbox.message_ids()
    assert len(ids) == 40 and len(set(ids)) == 40
    assert all(r.status is OutboxStatus.verzonden and r.attempts == 1 for r in rows())
    sent = [int(out.split(" sent")[0]) for out, _ in outputs]
    assert sum(sent) == 40


def test_a_sender_killed_mid_run_loses_nothing_and_doubles_nothing(app, smtp, clock):
    queue(12)
    arrived, release = threading.Event(), threading.Event()

    def hold_the_seventh() -> None:  # the 2nd message of the 2nd batch: the server has it,
        if len(smtp.inbox.messages) == 7:  # but the sender dies before hearing "250"
            arrived.set()
            release.wait(10)

    smtp.inbox.on_data = hold_the_seventh
    victim = sender(app, OUTBOX_BATCH_SIZE=5)
    assert arrived.wait(30), victim.communicate(timeout=5)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=10)
    release.set()
    smtp.inbox.on_data = None

    clock.shift(dt.timedelta(seconds=1))
    after = sender(app, OUTBOX_BATCH_SIZE=5, OUTBOX_LEASE_SECONDS=0)  # the dead sender's lease is over
    out, err = after.communicate(timeout=60)
    assert after.returncode == 0, err
    assert "1 interrupted message(s) released" in out
    ids = smtp.inbox.message_ids()
    assert len(ids) == 12 and len(set(ids)) == 12  # nothing lost, nothing twice
    statuses = [r.status for r in rows()]
    assert statuses.count(OutboxStatus.verzonden) == 11
    assert rows()[6].status is OutboxStatus.mislukt and rows()[6].error == outbox.UNCERTAIN


def test_the_worker_delivers_what_arrives_and_stops_cleanly_on_sigterm(app, smtp):
    worker = subprocess.Popen(
        flask_command("outbox", "worker", "--interval", "0.2"),
        env=sender_env(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        queue(2)  # enqueued while the worker runs
        deadline = time.monotonic() + 20
        while len(smtp.inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "Outbox worker stopped." in out
    assert sorted(smtp.inbox.message_ids()) == sorted(r.message_id for r in rows())

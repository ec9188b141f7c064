"""The durable outbox (docs/rules.md §6).

`enqueue` adds a finished message to the caller's transaction, so a change and the mails it
causes commit together or not at all. `deliver` sends what is due, one message at a time:

    wachtend --claim (committed: the attempt is on record before any byte is sent)--> bezig
    bezig --250--> verzonden
    bezig --4xx, server down--> wachtend (back-off doubles per attempt) | mislukt (too many)
    bezig --5xx--> mislukt                 (shown to the beheerder, who can retry)
    bezig --sender died before DATA--> wachtend   (after the lease, nothing was handed over)
    bezig --sender died after DATA--> mislukt     (maybe delivered: never resent by itself)

A claim is a conditional UPDATE, so two senders never take the same message. Every attempt
sends the same bytes with the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from typing import Callable, Iterable, Protocol

from flask import Flask, current_app, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import delete, event, select, update

from . import audit
from .clock import utcnow
from .extensions import db
from .models import OutboxMessage, User
from .vocab import AuditAction, MailKind, OutboxStatus

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)
UNCERTAIN = "Onderbroken na het aanbieden: mogelijk al afgeleverd"


class TemporaryFailure(Exception):
    """Try again later: the server is down or answered 4xx."""


class Unreachable(TemporaryFailure):
    """No (more) connection to the server: stop this run, the next one tries again."""


class PermanentFailure(Exception):
    """The server refused this message for good (5xx)."""


class Uncertain(Exception):
    """The connection broke after the body was handed over: the message may have arrived."""


def enqueue(message: EmailMessage, *, kind: MailKind, dedup_key: str, user_id: int | None) -> bool:
    """Add a message to the current transaction; False if this key was enqueued before."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)):
        return False
    row = OutboxMessage(
        kind=kind,
        dedup_key=dedup_key,
        message_id=message["Message-ID"],
        recipient=parseaddr(message["To"])[1],
        user_id=user_id,
        subject=str(message["Subject"])[:200],
        raw=message.as_bytes(policy=SMTP_POLICY),
    )
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault("outbox_new", []).append(row.id)
    return True


@dataclass
class DeliveryReport:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    stopped: bool = False  # the server became unreachable, or a message is in doubt
    errors: list[str] = field(default_factory=list)


class Transport(Protocol):
    def send(self, row: OutboxMessage, handing_over: Callable[[], None]) -> None: ...
    def close(self) -> None: ...


class FileTransport:
    """The embedded default: one .eml file per message, written atomically, never twice."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def send(self, row: OutboxMessage, handing_over: Callable[[], None]) -> None:
        stamp = row.created_at.strftime("%Y%m%d-%H%M%S")
        path = os.path.join(self.folder, f"{stamp}-{row.id:06d}-{row.kind.value}.eml")
        if os.path.exists(path):
            return
        handing_over()
        with open(path + ".tmp", "wb") as file:
            file.write(row.raw or b"")
        os.replace(path + ".tmp", path)

    def close(self) -> None:
        pass


class SMTPTransport:
    """smtplib, with STARTTLS or SMTPS and a login when configured; one connection per run."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        try:
            smtp = cls(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"])
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except smtplib.SMTPResponseException as exc:
            raise Unreachable(f"SMTP {exc.smtp_code}: verbinding geweigerd") from None
        except (OSError, smtplib.SMTPException):
            raise Unreachable("Mailserver onbereikbaar") from None
        return smtp

    def send(self, row: OutboxMessage, handing_over: Callable[[], None]) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        smtp = self.smtp
        try:
            smtp.ehlo_or_helo_if_needed()
            _expect(smtp.mail(self.sender), "afzender")
            _expect(smtp.rcpt(row.recipient), "ontvanger")
        except (TemporaryFailure, PermanentFailure):
            self._reset()
            raise
        except (OSError, smtplib.SMTPException):
            self.smtp = None
            raise Unreachable("Verbinding met de mailserver verbroken") from None
        handing_over()
        try:
            reply = smtp.data(row.raw or b"")
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was handed over
            reply = (exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException):
            self.smtp = None
            raise Uncertain() from None
        if reply[0] not in (250, 251):
            self._reset()
        _expect(reply, "bericht")  # an explicit refusal: the server did not take it

    def _reset(self) -> None:
        try:
            self.smtp.rset()  # type: ignore[union-attr]
        except (OSError, smtplib.SMTPException):
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None


def _expect(reply: tuple[int, bytes], step: str) -> None:
    """Turn an SMTP reply into success, a temporary or a permanent failure (never the server's text)."""
    code = reply[0]
    if code in (250, 251):
        return
    if 400 <= code < 500:
        raise TemporaryFailure(f"SMTP {code}: {step} tijdelijk geweigerd")
    raise PermanentFailure(f"SMTP {code}: {step} geweigerd")


def transport() -> Transport:
    config = current_app.config
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_DIR"])


def backoff(attempts: int) -> dt.timedelta:
    """60 s, 2 min, 4 min, … at most 6 hours (OUTBOX_RETRY_SECONDS sets the first step)."""
    first = dt.timedelta(seconds=current_app.config["OUTBOX_RETRY_SECONDS"])
    return min(first * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim(message_id: int, worker: str, now: dt.datetime) -> bool:
    """Take one due message for this sender; committed, so the attempt is on record first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.wachtend,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            status=OutboxStatus.bezig,
            claimed_by=worker,
            claimed_at=now,
            data_started=False,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(row: OutboxMessage, worker: str, **values: object) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def recover(now: dt.datetime | None = None) -> int:
    """Release claims of senders that died (retry what never reached DATA, flag the rest), and
    delete sent messages older than OUTBOX_KEEP_DAYS; every send run starts with this."""
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    base = (
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.bezig, OutboxMessage.claimed_at < stale)
        .execution_options(synchronize_session=False)
    )
    retried = db.session.execute(
        base.where(OutboxMessage.data_started.is_(False)).values(
            status=OutboxStatus.wachtend,
            next_attempt_at=now,
            claimed_by=None,
            claimed_at=None,
            error="Verzending onderbroken; opnieuw in de wachtrij",
        )
    ).rowcount
    flagged = db.session.execute(
        base.where(OutboxMessage.data_started.is_(True)).values(
            status=OutboxStatus.mislukt, claimed_by=None, claimed_at=None, error=UNCERTAIN
        )
    ).rowcount
    keep = dt.timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.verzonden, OutboxMessage.sent_at < now - keep)
    )
    db.session.commit()
    return retried + flagged


def deliver(
    ids: Iterable[int] | None = None, now: dt.datetime | None = None, limit: int | None = None
) -> DeliveryReport:
    """Send the due messages (or only `ids`), oldest first; stops early when the server is down."""
    now = now or utcnow()
    worker = f"{os.getpid()}-{threading.get_ident()}"[:40]
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.wachtend, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit or current_app.config["OUTBOX_BATCH_SIZE"])
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    candidates = list(db.session.scalars(query))
    db.session.commit()
    report = DeliveryReport()
    sender = transport()
    try:
        for message_id in candidates:
            if not _claim(message_id, worker, now):
                continue  # another sender has it
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if not _send_one(sender, row, worker, now, report):
                report.stopped = True
                break
    finally:
        sender.close()
    return report


def deliver_all() -> DeliveryReport:
    """Deliver batch after batch until nothing is due or the server has trouble."""
    total = DeliveryReport()
    while True:
        result = deliver()
        total.sent += result.sent
        total.retry += result.retry
        total.failed += result.failed
        total.errors += result.errors
        if result.stopped or result.retry or not (result.sent or result.failed):
            return total  # nothing left, or trouble: the back-off decides when the rest is tried


def _send_one(sender: Transport, row: OutboxMessage, worker: str, now: dt.datetime, report: DeliveryReport) -> bool:
    """Deliver one claimed message and record the outcome; False when the run should stop."""
    try:
        sender.send(row, lambda: _handing_over(row, worker))
    except TemporaryFailure as exc:
        gave_up = row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
        _finish(
            row,
            worker,
            status=OutboxStatus.mislukt if gave_up else OutboxStatus.wachtend,
            next_attempt_at=now + backoff(row.attempts),
            data_started=False,
            error=str(exc),
        )
        report.failed += gave_up
        report.retry += not gave_up
        report.errors.append(str(exc))
        return not isinstance(exc, Unreachable)
    except PermanentFailure as exc:
        _finish(row, worker, status=OutboxStatus.mislukt, error=str(exc))
        report.failed += 1
        report.errors.append(str(exc))
        return True
    except Uncertain:
        _finish(row, worker, status=OutboxStatus.mislukt, error=UNCERTAIN)
        report.failed += 1
        report.errors.append(UNCERTAIN)
        return False
    _finish(row, worker, status=OutboxStatus.verzonden, sent_at=utcnow(), error="")
    report.sent += 1
    return True


def _handing_over(row: OutboxMessage, worker: str) -> None:
    """Record, committed, that the body is about to be handed over: from here it may arrive."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker)
        .values(data_started=True)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    row.data_started = True


def retry(row: OutboxMessage, by: User | None) -> None:
    """The beheerder sends a failed message again, with a fresh series of attempts."""
    row.status = OutboxStatus.wachtend
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.data_started = False
    row.error = ""
    db.session.info.setdefault("outbox_new", []).append(row.id)  # delivered right after the commit
    audit.record(AuditAction.retry, row, user=by)


# Delivery right after the commit that enqueued the messages, in a background thread, so a
# chair who sends the agenda does not wait for the mail server (the worker does the retries).
_threads: set[threading.Thread] = set()
_lock = threading.Lock()


def _deliver_in_background(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            deliver(ids=ids)
    except Exception as exc:  # never reaches the user; the worker retries. No message text logged.
        log.error("outbox: background delivery failed (%s)", type(exc).__name__)
    finally:
        with _lock:
            _threads.discard(threading.current_thread())


def wait_for_background(timeout: float = 30) -> None:
    """Join the delivery threads (tests, and a clean shutdown)."""
    with _lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)


def _after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_new", None)
    if not ids or not has_request_context() or not current_app.config["OUTBOX_DELIVER_AFTER_COMMIT"]:
        return
    thread = threading.Thread(
        target=_deliver_in_background, name="outbox", daemon=True, args=(current_app._get_current_object(), ids)
    )  # type: ignore[attr-defined]
    with _lock:
        _threads.add(thread)
    thread.start()


def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_new", None)


def init_app(app: Flask) -> None:
    """Deliver a transaction's mails right after its commit; forget them on a rollback."""
    for name, listener in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

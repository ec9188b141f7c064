"""Command line: `flask --app actieoverleg init-db | demo | users create | meetings plan |
outbox send | outbox worker | reminders send | stats export | stats refresh |
retention purge | audit verify`."""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import administration, agenda, aggregates, audit, mail, outbox, planning, retention, schema
from .clock import local_today
from .extensions import db
from .models import MeetingSeries, Organisation, Region, StatCell, User
from .passwords import password_problem
from .vocab import AuditAction, Role

users = AppGroup("users", help="Manage accounts.")
meetings = AppGroup("meetings", help="Plan meetings from the series.")
outbox_cli = AppGroup("outbox", help="Deliver the mail outbox.")
reminders_cli = AppGroup("reminders", help="Daily reminders of due action points.")
stats_cli = AppGroup("stats", help="Anonymised statistics for the national chairs' meeting.")
retention_cli = AppGroup("retention", help="Erase what partners wrote about cases that have rested.")
audit_cli = AppGroup("audit", help="The audit log.")


@click.command("init-db")
def init_db() -> None:
    """Create the database, or bring it up to date: the migrations run; no row is lost."""
    done = schema.upgrade()
    if not db.session.scalar(select(func.count()).select_from(StatCell)):
        aggregates.refresh_all()  # a database from before the statistics: store them once, pages only read
        db.session.commit()
    click.echo(f"Database ready ({done}).")


@click.command("demo")
@click.option("--password", help="Use this password for every demo account (default: a random one each).")
@click.option(
    "--scale",
    type=click.Choice(["regio", "national"]),
    default="regio",
    show_default=True,
    help="regio: two regions, five quarters and every kind of mail; national: 25 regions, five "
    "years (for the statistics and `make bench`), no mail.",
)
@click.option("--regions", default=25, show_default=True, help="With --scale national: how many regions.")
@click.option("--years", default=5, show_default=True, help="With --scale national: how many years.")
def demo(password: str | None, scale: str, regions: int, years: int) -> None:
    """Fill an empty database with a realistic demo and print the accounts, tab-separated."""
    from .demo import load_demo
    from .demo_national import load_national

    schema.upgrade()  # an empty database gets the schema from the migrations
    if db.session.scalar(select(func.count()).select_from(User)):
        raise click.ClickException("The database is not empty; the demo loads only into an empty database.")
    if scale == "national":
        started = time.perf_counter()
        for line in load_national(password, regions=regions, years=years):
            click.echo(line)
        click.echo(f"National demo loaded in {time.perf_counter() - started:.0f} s.", err=True)
        return
    lines = load_demo(password)
    db.session.commit()
    for line in lines:
        click.echo(line)
    # stdout is the account list (make run keeps it); the rest goes to stderr
    click.echo(f"Demo mail: {_report(outbox.deliver_all())}", err=True)


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", required=True, help="Short name, e.g. Politie.")
@click.option("--region", "regions", multiple=True, help="Region code (repeatable), e.g. RR.")
@click.password_option()
def create_user(email: str, name: str, role: str, organisation: str, regions: tuple[str, ...], password: str) -> None:
    """Create an account."""
    problem = password_problem(password, (name, email))
    if problem:
        raise click.ClickException(problem)
    org = db.session.scalar(select(Organisation).filter_by(short_name=organisation))
    if org is None:
        raise click.ClickException(f"Unknown organisation {organisation!r}.")
    found = list(db.session.scalars(select(Region).where(Region.code.in_(regions))))
    if len(found) != len(set(regions)):
        raise click.ClickException("Unknown region code.")
    if db.session.scalar(select(User).filter(func.lower(User.email) == email.lower())):
        raise click.ClickException("An account with this e-mail address exists already.")
    administration.save_user(
        None, email=email, password=password, name=name, role=Role(role), organisation=org, regions=found, by=None
    )
    db.session.commit()
    click.echo(f"Created {email}.")


@meetings.command("plan")
def plan() -> None:
    """Plan the coming weeks of every active series and derive every region's coming agendas
    (idempotent; run it daily: points fall overdue and meetings pass without any change)."""
    weeks = current_app.config["PLANNING_WEEKS"]
    created = 0
    for series in db.session.scalars(select(MeetingSeries).where(MeetingSeries.active.is_(True))):
        created += len(planning.plan_series(series, weeks))
    added = withdrawn = 0
    for region_id in db.session.scalars(select(Region.id).where(Region.active.is_(True)).order_by(Region.id)):
        done = agenda.derive(region_id)
        added, withdrawn = added + done.added, withdrawn + done.withdrawn
    db.session.commit()
    click.echo(f"{created} meeting(s) planned; agendas: {added} automatic item(s) added, {withdrawn} withdrawn.")


def _report(result: outbox.DeliveryReport) -> str:
    line = f"{result.sent} sent, {result.retry} to retry, {result.failed} failed."
    return line + (f" Last error: {result.errors[-1]}" if result.errors else "")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver every due message once (for cron); safe to run next to a worker."""
    recovered = outbox.recover()
    if recovered:
        click.echo(f"{recovered} interrupted message(s) released.")
    click.echo(_report(outbox.deliver_all()))


@outbox_cli.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
def outbox_worker(interval: float) -> None:
    """Deliver in a loop (for deployments: a systemd service); stops cleanly on SIGTERM or Ctrl-C."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    click.echo(f"Outbox worker started, every {interval:g} s.")
    try:
        while not stopping.is_set():
            outbox.recover()
            result = outbox.deliver()
            if result.sent or result.retry or result.failed:
                click.echo(_report(result))
            if not result.sent:
                stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Outbox worker stopped.")


@reminders_cli.command("send")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="As if today were this date.")
def reminders_send(day: dt.datetime | None) -> None:
    """Enqueue today's digests (at most one per member per day) and deliver them."""
    count = mail.reminders(day.date() if day else local_today())
    db.session.commit()
    click.echo(f"{count} reminder(s) queued.")
    click.echo(_report(outbox.deliver_all()))


@stats_cli.command("export")
@click.option("--period", required=True, help="A quarter (2026Q3) or a year (2026).")
@click.option("--region", help="Region name or code; the national report without it.")
def stats_export(period: str, region: str | None) -> None:
    """Write the report as CSV to stdout: the same file as the web page's "Alle tabellen als CSV"."""
    from .indicators import build, csv_bytes, record_use
    from .periods import Period

    parsed = Period.parse(period)
    if parsed is None:
        raise click.BadParameter("use a quarter like 2026Q3 or a year like 2026", param_hint="--period")
    found = None
    if region:
        found = db.session.scalar(
            select(Region).where(
                (func.lower(Region.name) == region.strip().lower()) | (Region.code == region.strip().upper())
            )
        )
        if found is None:
            raise click.BadParameter(f"unknown region {region!r}", param_hint="--region")
    report = build(parsed, found, local_today())
    record_use(AuditAction.export, report, "alle (cli)", None)
    db.session.commit()
    click.echo(csv_bytes(report), nl=False)  # bytes: written as they are, BOM included


@stats_cli.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Recompute every region and period, not only stale ones.")
def stats_refresh(everything: bool) -> None:
    """Recompute and store stale statistics (nightly: pages compute a stale period on every read
    until then, and never store it)."""
    count = aggregates.refresh_all() if everything else aggregates.refresh_stale()
    db.session.commit()
    click.echo(f"{count} region-period(s) recomputed.", err=True)


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
def retention_purge(dry_run: bool) -> None:
    """Daily: erase the file references and action texts of cases with no open point and no
    discussion for RETENTION_MONTHS. Prints counts only."""
    months = current_app.config["RETENTION_MONTHS"]
    result = retention.purge(local_today(), months, dry_run=dry_run)
    db.session.commit()
    verb = "Would erase" if dry_run else "Erased"
    click.echo(
        f"{verb}: {result.file_references} file reference(s) and {result.action_texts} action text(s) "
        f"of {result.cases} case(s) at rest for {months} months."
    )


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's hash chain; exit code 1 and the event that breaks it, if any."""
    count, breaks = audit.verify()
    for found in breaks:
        where = f"event {found.event_id}" if found.event_id is not None else "the chain's head"
        click.echo(f"Break at {where}: {found.reason}.", err=True)
    if breaks:
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} event(s).")


def init_app(app: Flask) -> None:
    for command in (init_db, demo, users, meetings, outbox_cli, reminders_cli, stats_cli, retention_cli, audit_cli):
        app.cli.add_command(command)

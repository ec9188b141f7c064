"""A realistic demo: two regions, all partners plus guests, every role, the next meeting in
preparation and every kind of mail in the outbox. Per region twelve recent weekly meetings are
held through the operations, and before them five quarters of history (in bulk), so every
table of the statistics report has figures. Nothing in it describes a person.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Iterator

from . import actions, agenda, aggregates, auth_totp, cases, lifecycle, mail, meeting_steps, planning
from .auth import hash_password
from .clock import local_today, utcnow
from .extensions import db
from .formatting import local, to_utc
from .models import Case, Meeting, MeetingSeries, Organisation, Region, User
from .periods import Period
from .permissions import is_chair, is_member, must_use_two_factor
from .vocab import (
    ActionKind,
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Children,
    Handover,
    MeetingForm,
    OrganisationKind,
    Role,
)

PARTNERS = [
    ("Veilig Thuis", "VT"),
    ("Politie", "Politie"),
    ("Openbaar Ministerie", "OM"),
    ("Raad voor de Kinderbescherming", "RvdK"),
    ("Reclassering Nederland", "RN"),
    ("Leger des Heils Jeugdbescherming & Reclassering", "LJ&R"),
    ("Verslavingsreclassering GGZ", "SVG"),
]
GUESTS = [("Zorg- en Veiligheidshuis", "ZVH"), ("Lokaal team", "Lokaal team")]
REGIONS = [
    # name, code, chair organisation, guest, weekday, time, form, location, join link
    (
        "Rotterdam-Rijnmond",
        "RR",
        "OM",
        "ZVH",
        1,
        dt.time(13, 0),
        MeetingForm.hybride,
        "Zorg- en Veiligheidshuis Rotterdam-Rijnmond, zaal 2",
        "https://vergaderen.demo.test/actie-overleg-rotterdam-rijnmond",
    ),
    (
        "Zuid-Holland-Zuid",
        "ZHZ",
        "VT",
        "Lokaal team",
        3,
        dt.time(10, 0),
        MeetingForm.online,
        "",
        "https://vergaderen.demo.test/actie-overleg-zuid-holland-zuid",
    ),
]
STAFF = [
    "Sanne de Boer",
    "Ahmed Benali",
    "Marieke Visser",
    "Joost Mulder",
    "Fatma Yilmaz",
    "Peter Dekker",
    "Linda Smit",
    "Ruben Bos",
    "Esther Kok",
    "Mohamed Amrani",
    "Anouk Jansen",
    "Kees van Dam",
    "Naima El Idrissi",
    "Thomas Vos",
    "Iris Brouwer",
    "Bas Hendriks",
    "Yvonne Peters",
    "Daan Meijer",
    "Sophie de Wit",
    "Mark Willems",
]
ACTION_TEXTS = {
    "VT": [
        "VT legt huisbezoek af",
        "VT bespreekt veiligheidsplan met moeder",
        "VT neemt contact op met school",
        "VT zet radarbeoordeling uit",
    ],
    "Politie": [
        "Politie plant verhoor",
        "Politie spreekt pleger aan",
        "Politie zet extra surveillance in de wijk in",
        "Politie beoordeelt inzet tijdelijk huisverbod",
    ],
    "OM": [
        "OM beslist over vordering",
        "OvJ beoordeelt inzet gebiedsverbod (art. 38v Sr)",
        "OM bespreekt aanhouding met politie",
    ],
    "RvdK": ["RvdK start raadsonderzoek", "RvdK beoordeelt verzoek ondertoezichtstelling"],
    "RN": ["Reclassering bespreekt meldplicht in week 14", "RN adviseert over bijzondere voorwaarden"],
    "LJ&R": ["LJ&R neemt contact op met ex-partner over toezicht", "LJ&R plant gesprek met pleger"],
    "SVG": ["SVG screent pleger op verslaving", "SVG koppelt terug over behandeling"],
    "ZVH": ["ZVH organiseert casusregie", "ZVH plant MDA++-overleg"],
    "Lokaal team": ["Lokaal team start hulpverlening voor kind en moeder", "Wijkteam plant gesprek met gezin"],
}


def _accounts(
    regions: list[Region], orgs: dict[str, Organisation], password: str | None, rng: random.Random
) -> Iterator[tuple[User, str]]:
    """Every role: per region a chair and a member per organisation; one admin, one national member."""
    names = iter(STAFF * 3)
    shared = hash_password(password) if password else None  # argon2 is slow on purpose: once

    def make(role: Role, org: str, regs: list[Region], email: str) -> tuple[User, str]:
        secret = password or secrets.token_urlsafe(9)
        user = User(
            email=email,
            name=next(names),
            role=role,
            organisation=orgs[org],
            regions=regs,
            password_hash=shared or hash_password(secret),
        )
        db.session.add(user)
        return user, secret

    yield make(Role.beheerder, "VT", regions, "beheer@demo.test")
    yield make(Role.landelijk, "OM", [], "landelijk@demo.test")
    for region, (_, code, chair_org, *_rest) in zip(regions, REGIONS):
        yield make(Role.voorzitter, chair_org, [region], f"voorzitter.{code.lower()}@demo.test")
        for org in region.organisations:
            slug = org.short_name.lower().replace("&", "").replace(" ", "")
            yield make(Role.deelnemer, org.short_name, [region], f"{slug}.{code.lower()}@demo.test")


def _hold(meeting: Meeting, chair: User, rng: random.Random, today: dt.date) -> None:
    """Walk one past meeting through the three steps, record attendance, close it."""
    orgs = [o for o in meeting.region.organisations]
    for org in orgs:
        status = rng.choices(list(AttendanceStatus), weights=[80, 8, 4, 8])[0]
        meeting_steps.record_attendance(
            meeting, org, status, rng.random() < 0.85, rng.choice(list(AttendanceForm)), chair
        )
    day = meeting.starts_at.date()
    for item in agenda.visible_items(meeting):
        meeting_steps.record_step1(
            item,
            rng.sample(orgs, k=rng.randint(2, 5)),
            rng.choices(list(Assessment), weights=[25, 40, 25, 10])[0],
            chair,
        )
        for _ in range(rng.randint(1, 3)):
            owner = rng.choice(orgs)
            due = day + dt.timedelta(days=rng.choice([3, 7, 7, 14, 14, 21]))
            action = meeting_steps.add_action(
                item, owner, rng.choice(ACTION_TEXTS[owner.short_name]), rng.choice(list(ActionKind)), due, None, chair
            )
            if due < today - dt.timedelta(days=2) or rng.random() < 0.3:
                result = rng.choices(ActionStatus.results(), weights=[82, 7, 4, 7])[0]
                actions.tick_off(action, result, action.version, chair)
                # the past, as it happened: ticked off around the due date, not today
                action.result_at = min(to_utc(due, dt.time(16, 0)) - dt.timedelta(days=rng.randint(-3, 5)), utcnow())
        handover = rng.choices(list(Handover), weights=[22, 15, 8, 30, 6, 14])[0]
        meeting_steps.record_step3(item, handover, day + dt.timedelta(days=28), chair)
    meeting_steps.set_chair(meeting, rng.choice([chair.organisation, chair.organisation, orgs[0]]), chair)
    lifecycle.close(meeting, chair)
    meeting.closed_at = meeting.starts_at + dt.timedelta(hours=2)  # closed at the end of that meeting


def load_demo(password: str | None = None, seed: int = 2026) -> list[str]:
    """Create the demo through the same operations users call and return one tab-separated
    line per account (role, organisation, regions, e-mail, password, TOTP secret or empty);
    the caller commits."""
    rng = random.Random(seed)
    orgs: dict[str, Organisation] = {}
    for position, (name, short) in enumerate(PARTNERS, start=1):
        orgs[short] = Organisation(name=name, short_name=short, kind=OrganisationKind.partner, position=position)
    for position, (name, short) in enumerate(GUESTS, start=20):
        orgs[short] = Organisation(name=name, short_name=short, kind=OrganisationKind.guest, position=position)
    db.session.add_all(orgs.values())
    regions = []
    for name, code, _chair, guest, weekday, time, form, location, link in REGIONS:
        region = Region(name=name, code=code, organisations=[orgs[s] for _, s in PARTNERS] + [orgs[guest]])
        db.session.add(region)
        db.session.add(
            MeetingSeries(
                region=region,
                weekday=weekday,
                start_time=time,
                duration_minutes=120,
                form=form,
                location=location,
                online_url=link,
            )
        )
        regions.append(region)
    accounts = list(_accounts(regions, orgs, password, rng))
    db.session.flush()
    # chairs and the admin have their authenticator app set up: the last column has its secret
    totp = {u.id: auth_totp.enrol_for_demo(u) for u, _ in accounts if must_use_two_factor(u)}

    today = local_today()
    chairs = [next(u for u, _ in accounts if is_chair(u) and region in u.regions) for region in regions]
    _older_history(regions, chairs, accounts, rng, today)
    for region, spec, chair in zip(regions, REGIONS, chairs):
        members = [u for u, _ in accounts if is_member(u) and not is_chair(u) and region in u.regions]
        series = db.session.scalars(db.select(MeetingSeries).filter_by(region=region)).one()
        past_cases = []
        for day in _recent_days(today, spec[4]):
            meeting = Meeting(
                region=region,
                series_id=series.id,
                starts_at=to_utc(day, spec[5]),
                duration_minutes=120,
                location=spec[7],
                form=spec[6],
                online_url=spec[8],
            )
            db.session.add(meeting)
            db.session.flush()
            returning = _returning(meeting)
            others = [case for case in past_cases if case not in returning]
            extra = max(0, rng.randint(1, 3) - len(returning))
            for case in returning + rng.sample(others, k=min(len(others), extra)):
                agenda.follow_up(meeting, case, chair)
            for _ in range(rng.randint(3, 6)):
                past_cases.append(_new_case(meeting, members, rng, day))
            _hold(meeting, chair, rng, today)
        planning.plan_series(series, 8, today)
        db.session.flush()
        upcoming = planning.next_meeting(region.id)
        for _ in range(3):
            case = _new_case(upcoming, members, rng, today)
            for prep in next(i for i in upcoming.items if i.case is case).preparations:
                if rng.random() < 0.5:
                    member = next(m for m in members if m.organisation_id == prep.organisation_id)
                    agenda.set_prepared(prep, True, member)
        # a follow-up with a point still running, as the table discusses it again
        running = [case for case in past_cases if any(a.is_open for a in case.actions)]
        agenda.follow_up(upcoming, rng.choice(running or past_cases), chair)
        agenda.derive(region.id)
        lifecycle.send_agenda(upcoming, chair)
    aggregates.mark_all_stale()  # the older history came in bulk: the commit computes its figures
    _every_kind_of_mail(regions[-1], chairs[-1], today)
    return [
        "\t".join(
            [
                user.role.value,
                user.organisation.name,
                ",".join(r.name for r in user.regions),
                user.email,
                secret,
                totp.get(user.id, ""),
            ]
        )
        for user, secret in accounts
    ]


RECENT_WEEKS = 12  # held through the operations, with every kind of mail
HISTORY_QUARTERS = 5  # complete quarters before the current one with figures in every table


def _recent_days(today: dt.date, weekday: int) -> list[dt.date]:
    """The days of the last RECENT_WEEKS regular meetings before today, oldest first."""
    last = today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return [last - dt.timedelta(weeks=week) for week in range(RECENT_WEEKS - 1, -1, -1)]


def _older_history(
    regions: list[Region], chairs: list[User], accounts: list[tuple[User, str]], rng: random.Random, today: dt.date
) -> None:
    """The weekly meetings before the recent weeks, back to the start of the quarter
    HISTORY_QUARTERS before the current one, so every table of the report has figures.

    Through the operations they would take a minute (each close composes a follow-up per
    member), so they come in bulk from the national demo's generator, consistent the way the
    app keeps its records (tests/test_demo_national.py); the recent weeks, which mail and
    agendas build on, go through the operations."""
    from .demo_national import History  # it imports this module's vocabularies

    current = Period.quarter_of(today)
    index = current.year * 4 + current.quarter - 1 - HISTORY_QUARTERS
    start = Period(index // 4, index % 4 + 1).start
    history = History(rng, today, list({o.id: o for r in regions for o in r.organisations}.values()))
    for region, spec, chair in zip(regions, REGIONS, chairs):
        series = db.session.scalars(db.select(MeetingSeries).filter_by(region=region)).one()
        history.chair_user = chair.id
        history.members = {
            u.organisation_id: u.id for u, _ in accounts if region in u.regions and is_member(u) and not is_chair(u)
        }
        first = start + dt.timedelta(days=(spec[4] - start.weekday()) % 7)
        history.region(region, series, first, list(region.organisations), until=_recent_days(today, spec[4])[0])
    history.write()


def _returning(meeting: Meeting) -> list[Case]:
    """The cases that need the table at this past meeting, as the automatic agenda would have
    brought them: back on their return date, or after a point was not done."""
    day = local(meeting.starts_at).date().isoformat()
    wanted = agenda.automatic_reasons(meeting)
    return [
        db.session.get(Case, case_id)
        for case_id, reasons in sorted(wanted.items())
        if any(date <= day for _reason, date, _org in reasons)
    ]


def _every_kind_of_mail(region: Region, chair: User, today: dt.date) -> None:
    """Follow-ups went out as the meetings closed and the agendas above; add a moved meeting,
    a cancelled one and today's reminders, so a new user finds every kind of message."""
    later = planning.coming_meetings({region.id})[1:3]
    if len(later) == 2:
        lifecycle.send_agenda(later[0], chair)
        moved = local(later[0].starts_at) + dt.timedelta(hours=1)
        lifecycle.move(
            later[0], moved.date(), moved.time(), later[0].duration_minutes, later[0].location, later[0].form, chair
        )
        lifecycle.cancel(later[1], chair)
    mail.reminders(today)


def _new_case(meeting: Meeting, members: list[User], rng: random.Random, day: dt.date):
    """A member brings a case in a few days before the meeting."""
    member = rng.choice(members)
    organisations = meeting.region.organisations
    needed = [member.organisation] + rng.sample([o for o in organisations if o is not member.organisation], k=2)
    case = cases.bring_in(
        meeting,
        member,
        rng.choices(list(CaseKind), weights=[45, 25, 12, 5, 8, 5])[0],
        rng.choice(list(Children)),
        rng.choice(list(CaseReason)),
        needed,
        f"{member.organisation.short_name[:3].upper()}-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
    )
    case.created_at = to_utc(day - dt.timedelta(days=rng.randint(1, 6)), dt.time(9, 30))
    db.session.flush()
    return case

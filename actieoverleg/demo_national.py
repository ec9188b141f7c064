"""Five years of national history for the statistics and the benchmark (docs/domain.md, Scale):
25 regions, weekly meetings, ≈ 60,000 case discussions and ≈ 200,000 action points.

Rows are generated in Python with explicit ids and written with Core bulk inserts (no ORM
unit of work per row), so the load takes a minute rather than hours. Deterministic per seed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import secrets
import sys
from typing import Any, Iterator

from sqlalchemy import insert

from . import agenda, aggregates, cases, planning
from .auth import hash_password
from .clock import local_today
from .demo import ACTION_TEXTS, GUESTS, PARTNERS, STAFF
from .extensions import db
from .formatting import to_utc
from .models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Case,
    Meeting,
    MeetingSeries,
    Organisation,
    Region,
    User,
    case_needed,
    item_shared,
    region_organisation,
    user_region,
    utcnow,
)
from .privacy import CODE_ALPHABET
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
    ItemKind,
    MeetingForm,
    MeetingStatus,
    OrganisationKind,
    Role,
)

REGIONS = [
    ("Groningen", "GR"),
    ("Friesland", "FR"),
    ("Drenthe", "DR"),
    ("IJsselland", "IJ"),
    ("Twente", "TW"),
    ("Noord- en Oost-Gelderland", "NOG"),
    ("Gelderland-Midden", "GM"),
    ("Gelderland-Zuid", "GZ"),
    ("Utrecht", "UT"),
    ("Noord-Holland-Noord", "NHN"),
    ("Zaanstreek-Waterland", "ZW"),
    ("Kennemerland", "KE"),
    ("Amsterdam-Amstelland", "AA"),
    ("Gooi en Vechtstreek", "GV"),
    ("Haaglanden", "HL"),
    ("Hollands Midden", "HM"),
    ("Rotterdam-Rijnmond", "RR"),
    ("Zuid-Holland-Zuid", "ZHZ"),
    ("Zeeland", "ZE"),
    ("Midden- en West-Brabant", "MWB"),
    ("Brabant-Noordoost", "BNO"),
    ("Brabant-Zuidoost", "BZO"),
    ("Limburg-Noord", "LN"),
    ("Zuid-Limburg", "ZL"),
    ("Flevoland", "FL"),
]
CHUNK = 20_000


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bulk(target: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(target), rows[start : start + CHUNK])


class History:
    """The rows of one run, with explicit ids, written at the end per table."""

    def __init__(self, rng: random.Random, today: dt.date, orgs: list[Organisation]) -> None:
        self.rng, self.today, self.orgs = rng, today, orgs
        self.ids = {name: itertools.count(1) for name in ("meeting", "case", "item", "point", "attendance")}
        self.rows: dict[Any, list[dict[str, Any]]] = {
            t: [] for t in (Meeting, Case, AgendaItem, ActionPoint, Attendance, item_shared, case_needed)
        }
        self.now = utcnow()
        self.codes: dict[str, Iterator[int]] = {}
        self.seen: dict[int, tuple[dt.date, dt.date | None]] = {}
        self.back_after: dict[int, dt.date] = {}
        self.members: dict[int, int] = {}  # organisation id: the user id of its member at this table
        self.chair_user: int | None = None

    def code(self, prefix: str) -> str:
        """Unique random codes without a query per code: a shuffled slice of the code space."""
        if prefix not in self.codes:
            self.codes[prefix] = iter(self.rng.sample(range(len(CODE_ALPHABET) ** 4), 20_000))
        number, digits = next(self.codes[prefix]), []
        for _ in range(4):
            number, digit = divmod(number, len(CODE_ALPHABET))
            digits.append(CODE_ALPHABET[digit])
        return prefix + "-" + "".join(digits)

    def region(
        self,
        region: Region,
        series: MeetingSeries,
        first: dt.date,
        table: list[Organisation],
        until: dt.date | None = None,
    ) -> None:
        """Weekly meetings from `first` to last week (or up to `until`), with new cases and the
        ones that must return."""
        self.seen = {}  # case id: last discussed, the date it must come back ('terug op de agenda')
        self.back_after = {}  # case id: a point was not done on this date
        day = first
        while day < (until or self.today - dt.timedelta(days=6)):
            self.meeting(region, series, day, table, extra=False)
            if self.rng.random() < 0.03:  # a spoedoverleg, on a working day of the same week
                self.meeting(region, series, day + dt.timedelta(days=1 if day.weekday() < 4 else -1), table, extra=True)
            day += dt.timedelta(weeks=1)

    def returning(self, day: dt.date) -> list[int]:
        """As `agenda.derive` would put them on the agenda: 'terug op de agenda' whose date has come,
        and cases with a point that was not done; plus now and then one that comes back by itself
        (a repeat within 12 months)."""
        rng = self.rng
        due = [case for case, (_last, back) in self.seen.items() if back is not None and back <= day]
        due += [case for case, when in self.back_after.items() if when <= day and case not in due]
        recent = [case for case, (last, _h) in self.seen.items() if (day - last).days <= 365 and case not in due]
        return due + rng.sample(recent, k=min(len(recent), rng.choice([0, 0, 1, 1, 2])))

    def meeting(
        self, region: Region, series: MeetingSeries, day: dt.date, table: list[Organisation], extra: bool
    ) -> None:
        rng = self.rng
        meeting_id = next(self.ids["meeting"])
        starts = to_utc(day, series.start_time)
        cancelled = not extra and rng.random() < 0.02
        chair = rng.choice(table[:3])
        self.rows[Meeting].append(
            dict(
                id=meeting_id,
                region_id=region.id,
                series_id=None if extra else series.id,
                starts_at=starts,
                duration_minutes=120,
                location=series.location,
                form=series.form if rng.random() < 0.85 else rng.choice(list(MeetingForm)),
                is_extra=extra,
                status=MeetingStatus.geannuleerd if cancelled else MeetingStatus.afgesloten,
                chair_organisation_id=None if cancelled else chair.id,
                closed_at=None if cancelled else starts + dt.timedelta(hours=2),
                closed_by_id=None if cancelled else self.chair_user,
                sequence=0,
                version=1,
            )
        )
        if cancelled:
            return
        for org in table:
            status = rng.choices(list(AttendanceStatus), weights=[80, 8, 4, 8])[0]
            present = status is AttendanceStatus.aanwezig
            self.rows[Attendance].append(
                dict(
                    id=next(self.ids["attendance"]),
                    meeting_id=meeting_id,
                    organisation_id=org.id,
                    status=status,
                    mandate=(rng.random() < 0.85) if present else None,
                    form=rng.choice(list(AttendanceForm)) if present else None,
                )
            )
        again = [] if extra else self.returning(day)
        new = [self.case(region, day, table) for _ in range(rng.randint(1, 2) if extra else rng.randint(4, 7))]
        for position, case_id in enumerate(again + new, start=1):
            handover = rng.choices(list(Handover), weights=[22, 15, 8, 30, 18, 7])[0]
            self.back_after.pop(case_id, None)
            back = (
                day + dt.timedelta(days=rng.choice([14, 28, 28, 42, 56, 91, 182]))
                if handover is Handover.terug
                else None
            )  # some return after months
            self.item(meeting_id, region.id, case_id, position, day, table, handover, back, position <= len(again))
            self.seen[case_id] = (day, back)
        if rng.random() < 0.1:  # forget what can no longer come back, now and then
            self.seen = {c: v for c, v in self.seen.items() if (day - v[0]).days <= 400}

    def case(self, region: Region, day: dt.date, table: list[Organisation]) -> int:
        rng = self.rng
        case_id = next(self.ids["case"])
        bringer = rng.choice(table[:7])
        self.rows[Case].append(
            dict(
                id=case_id,
                code=self.code(region.code),
                region_id=region.id,
                organisation_id=bringer.id,
                created_at=to_utc(day - dt.timedelta(days=rng.choice([1, 2, 3, 5, 6, 8, 13, 20, 30])), dt.time(9, 30)),
                kind=rng.choices(list(CaseKind), weights=[45, 25, 12, 5, 8, 5])[0],
                children=rng.choice(list(Children)),
                reason=rng.choice(list(CaseReason)),
                file_reference=None,
            )
        )
        for org in {bringer.id, *(o.id for o in rng.sample(table, k=2))}:
            self.rows[case_needed].append(dict(case_id=case_id, organisation_id=org))
        return case_id

    def item(
        self,
        meeting_id: int,
        region_id: int,
        case_id: int,
        position: int,
        day: dt.date,
        table: list[Organisation],
        handover: Handover,
        back: dt.date | None,
        again: bool,
    ) -> None:
        rng = self.rng
        item_id = next(self.ids["item"])
        self.rows[AgendaItem].append(
            dict(
                id=item_id,
                meeting_id=meeting_id,
                case_id=case_id,
                position=position,
                kind=ItemKind.herbespreking if again else ItemKind.nieuw,
                removed=False,
                assessment=rng.choices(list(Assessment), weights=[25, 40, 25, 10])[0],
                handover=handover,
                return_date=back,
                version=1,
            )
        )
        for org in rng.sample(table, k=rng.randint(2, 4)):
            self.rows[item_shared].append(dict(agenda_item_id=item_id, organisation_id=org.id))
        for _ in range(rng.choice([2, 3, 3, 4, 4, 5])):
            owner = rng.choice(table)
            due = day + dt.timedelta(days=rng.choice([3, 7, 7, 14, 14, 21, 28]))
            status, result_at, result_by = ActionStatus.open, None, None
            # every old point has a result; most points due this week too (what is not, comes back)
            ticked = {True: 1.0, False: 0.85 if due < self.today + dt.timedelta(days=7) else 0.2}
            if rng.random() < ticked[due < self.today - dt.timedelta(days=3)]:
                status = rng.choices(ActionStatus.results(), weights=[82, 7, 4, 7])[0]
                done = max(min(due + dt.timedelta(days=rng.choice([-5, -3, -2, -1, 0, 0, 1, 3, 8])), self.today), day)
                result_at = min(to_utc(done, dt.time(15, 0)), self.now)  # never in the future
                result_by = self.members.get(owner.id)
                if status is ActionStatus.niet_uitgevoerd:
                    self.back_after[case_id] = done + dt.timedelta(days=1)
            self.rows[ActionPoint].append(
                dict(
                    id=next(self.ids["point"]),
                    case_id=case_id,
                    region_id=region_id,
                    agenda_item_id=item_id,
                    organisation_id=owner.id,
                    text=rng.choice(ACTION_TEXTS.get(owner.short_name, ACTION_TEXTS["VT"])),
                    kind=rng.choice(list(ActionKind)),
                    due_date=due,
                    status=status,
                    created_at=to_utc(day, dt.time(15, 0)),
                    result_at=result_at,
                    result_by_id=result_by,
                    version=1,
                )
            )

    def write(self) -> dict[str, int]:
        counts = {}
        for target, rows in self.rows.items():
            _bulk(target, rows)
            counts[getattr(target, "__tablename__", getattr(target, "name", ""))] = len(rows)
        return counts


def load_national(password: str | None = None, regions: int = 25, years: int = 5, seed: int = 2026) -> list[str]:
    """Fill an empty database; return the account lines (role, organisation, regions, e-mail, password)."""
    rng = random.Random(seed)
    today = local_today()
    # not from the seeded generator: a default password anyone can recompute is no password
    secret = password or "demo-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    password_hash = hash_password(secret)  # once: argon2 is slow on purpose
    orgs = [
        Organisation(name=n, short_name=s, kind=OrganisationKind.partner, position=p)
        for p, (n, s) in enumerate(PARTNERS, start=1)
    ]
    orgs += [
        Organisation(name=n, short_name=s, kind=OrganisationKind.guest, position=p)
        for p, (n, s) in enumerate(GUESTS, start=20)
    ]
    db.session.add_all(orgs)
    made = [Region(name=name, code=code) for name, code in REGIONS[:regions]]
    db.session.add_all(made)
    db.session.flush()
    history = History(rng, today, orgs)
    first = today - dt.timedelta(days=365 * years)
    accounts: list[tuple[Role, Organisation, Region | None, str]] = [
        (Role.beheerder, orgs[0], None, "beheer@demo.test"),
        (Role.landelijk, orgs[2], None, "landelijk@demo.test"),
    ]
    links, series_list = [], []
    for index, region in enumerate(made):
        table = orgs[:7] + [orgs[7 + index % 2]]
        links += [dict(region_id=region.id, organisation_id=o.id) for o in table]
        series = MeetingSeries(
            region_id=region.id,
            weekday=index % 5,
            start_time=dt.time(10 + index % 4, 0),
            duration_minutes=120,
            location=f"Veilig Thuis {region.name}",
            form=[MeetingForm.fysiek, MeetingForm.online, MeetingForm.hybride][index % 3],
        )
        db.session.add(series)
        db.session.flush()
        series_list.append((region, series, table))
        accounts.append((Role.voorzitter, table[2], region, f"voorzitter.{region.code.lower()}@demo.test"))
        history.chair_user = len(accounts)  # user ids are positions in `accounts`
        history.members = {o.id: len(accounts) + n for n, o in enumerate(table, start=1)}
        accounts += [(Role.deelnemer, o, region, f"{_slug(o)}.{region.code.lower()}@demo.test") for o in table]
        start = first + dt.timedelta(days=(series.weekday - first.weekday()) % 7)
        history.region(region, series, start, table)
        _progress(f"  {region.name}: {len(history.rows[Meeting])} meetings so far")
    _bulk(region_organisation, links)
    names = itertools.cycle(STAFF)
    users = [
        dict(
            id=n,
            email=email,
            name=next(names),
            password_hash=password_hash,
            role=role,
            organisation_id=org.id,
            active=True,
            created_at=utcnow(),
            mail_mode="volledig",
        )
        for n, (role, org, _r, email) in enumerate(accounts, start=1)
    ]
    _bulk(User, users)
    _bulk(user_region, [dict(user_id=n, region_id=r.id) for n, (_, _, r, _) in enumerate(accounts, start=1) if r])
    counts = history.write()
    _progress("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    db.session.commit()
    _upcoming(series_list, rng, today)
    _progress("  statistics: computing every region and period ...")
    aggregates.refresh_all()
    db.session.commit()
    return [
        "\t".join([role.value, org.name, region.name if region else "", email, secret])
        for role, org, region, email in accounts
    ]


def _upcoming(
    series_list: list[tuple[Region, MeetingSeries, list[Organisation]]], rng: random.Random, today: dt.date
) -> None:
    """Plan the coming weeks and put three fresh cases on each region's next meeting."""
    for region, series, table in series_list:
        planning.plan_series(series, 8, today)
        db.session.flush()
        meeting = planning.next_meeting(region.id)
        member = db.session.scalar(db.select(User).where(User.email == f"vt.{region.code.lower()}@demo.test"))
        for _ in range(3):
            cases.bring_in(
                meeting,
                member,
                rng.choice(list(CaseKind)),
                Children.ja,
                CaseReason.samenloop,
                [member.organisation, rng.choice(table[1:])],
                None,
            )
        agenda.derive(region.id)
    db.session.commit()


def _slug(org: Organisation) -> str:
    return org.short_name.lower().replace("&", "").replace(" ", "")

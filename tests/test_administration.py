"""The Beheer operations (actieoverleg.administration) as plain functions: each makes its change,
writes one audit entry that names the object but none of its content, and leaves the commit
to the caller."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg import administration
from actieoverleg.auth import authenticate
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Meeting, MeetingSeries, Region, User
from actieoverleg.vocab import MeetingForm, OrganisationKind, Role

from .records import count, entries

pytestmark = pytest.mark.clock  # series planning depends on today

NEW_PASSWORD = "een nieuw lang wachtwoord"


# --- regions -----------------------------------------------------------------------------


def test_save_region_creates_and_changes_a_region_with_its_table(world):
    region = administration.save_region(
        None, name="Haaglanden", code="HL", active=True, organisations=[world.vt, world.om], by=world.admin
    )
    db.session.commit()
    db.session.expire_all()
    assert (region.name, region.code, region.active) == ("Haaglanden", "HL", True)
    assert {o.id for o in region.organisations} == {world.vt.id, world.om.id}
    assert entries(region) == [("create", world.admin.id, "")]

    administration.save_region(
        region, name="Haaglanden-Zuid", code="HLZ", active=False, organisations=[world.politie], by=world.admin
    )
    db.session.commit()
    db.session.expire_all()
    assert (region.name, region.code, region.active) == ("Haaglanden-Zuid", "HLZ", False)
    assert [o.id for o in region.organisations] == [world.politie.id]
    assert entries(region) == [("create", world.admin.id, ""), ("change", world.admin.id, "")]


def test_save_region_leaves_the_commit_to_the_caller(world):
    administration.save_region(None, name="Haaglanden", code="HL", active=True, organisations=[], by=world.admin)
    db.session.rollback()
    assert count(Region, Region.code == "HL") == 0
    assert count(AuditEvent, AuditEvent.object_type == "Region") == 0


# --- organisations -----------------------------------------------------------------------


def test_save_organisation_creates_and_changes_an_organisation(world):
    guest = administration.save_organisation(
        None,
        name="Reclassering Nederland",
        short_name="RN",
        kind=OrganisationKind.guest,
        position=40,
        active=True,
        by=world.admin,
    )
    db.session.commit()
    db.session.expire_all()
    assert (guest.name, guest.short_name, guest.kind, guest.position, guest.active) == (
        "Reclassering Nederland",
        "RN",
        OrganisationKind.guest,
        40,
        True,
    )
    administration.save_organisation(
        guest,
        name="Reclassering",
        short_name="3RO",
        kind=OrganisationKind.partner,
        position=5,
        active=False,
        by=world.admin,
    )
    db.session.commit()
    db.session.expire_all()
    assert (guest.name, guest.short_name, guest.kind, guest.position, guest.active) == (
        "Reclassering",
        "3RO",
        OrganisationKind.partner,
        5,
        False,
    )
    assert entries(guest) == [("create", world.admin.id, ""), ("change", world.admin.id, "")]


# --- accounts ----------------------------------------------------------------------------


def test_save_user_creates_an_account_that_can_sign_in(world):
    user = administration.save_user(
        None,
        email="nieuw@vt.example",
        password=NEW_PASSWORD,
        name="Nieuwe Collega",
        role=Role.deelnemer,
        organisation=world.vt,
        regions=[world.rr],
        by=world.admin,
    )
    db.session.commit()
    db.session.expire_all()
    assert (user.email, user.name, user.role, user.organisation_id, user.region_ids) == (
        "nieuw@vt.example",
        "Nieuwe Collega",
        Role.deelnemer,
        world.vt.id,
        {world.rr.id},
    )
    assert NEW_PASSWORD not in user.password_hash
    assert authenticate("nieuw@vt.example", NEW_PASSWORD) == (user, None)
    assert entries(user) == [("create", world.admin.id, "")]


def test_save_user_changes_an_account_but_keeps_its_address_and_password(world):
    user = world.vt_user
    email, password_hash = user.email, user.password_hash
    administration.save_user(
        user,
        name="Andere Naam",
        role=Role.voorzitter,
        organisation=world.om,
        regions=[world.rr, world.zhz],
        by=world.admin,
    )
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.role, user.organisation_id, user.region_ids) == (
        "Andere Naam",
        Role.voorzitter,
        world.om.id,
        {world.rr.id, world.zhz.id},
    )
    assert (user.email, user.password_hash) == (email, password_hash)
    assert entries(user) == [
        ("change", world.admin.id, ""),
        ("role_change", world.admin.id, "voorzitter"),
        ("regions_change", world.admin.id, "RR,ZHZ"),
    ]


def test_a_new_account_needs_an_address(world):
    with pytest.raises(ValueError):
        administration.save_user(
            None, name="Zonder Adres", role=Role.landelijk, organisation=world.om, regions=[], by=world.admin
        )
    assert count(User, User.name == "Zonder Adres") == 0


def test_an_account_made_on_the_command_line_is_audited_without_a_user(world):
    user = administration.save_user(
        None,
        email="cli@om.example",
        password=NEW_PASSWORD,
        name="Via CLI",
        role=Role.landelijk,
        organisation=world.om,
        regions=[],
        by=None,
    )
    db.session.commit()
    assert entries(user) == [("create", None, "")]


# --- meeting series ----------------------------------------------------------------------


def series_values(**overrides) -> dict:
    values = {
        "weekday": (local_today() + dt.timedelta(days=1)).weekday(),
        "start_time": dt.time(13, 0),
        "duration_minutes": 120,
        "form": MeetingForm.hybride,
        "location": "Stadhuis, zaal 3",
        "active": True,
        "weeks": 4,
    }
    values.update(overrides)
    return values


def test_saving_an_active_series_plans_and_audits_the_coming_weeks(world):
    series, planned = administration.save_series(None, region=world.rr, by=world.admin, **series_values())
    db.session.commit()
    assert (series.region_id, series.form, series.location) == (world.rr.id, MeetingForm.hybride, "Stadhuis, zaal 3")
    assert len(planned) == 4 and count(Meeting, Meeting.series_id == series.id) == 4
    assert entries(series) == [("create", world.admin.id, "")]
    assert entries(*planned) == [("create", world.admin.id, "reeks")] * 4

    again, more = administration.save_series(
        series, region=world.rr, by=world.admin, **series_values(duration_minutes=90, weeks=5)
    )
    db.session.commit()
    assert again is series and series.duration_minutes == 90
    assert len(more) == 1 and count(Meeting, Meeting.series_id == series.id) == 5  # nothing planned twice
    assert entries(series) == [("create", world.admin.id, ""), ("change", world.admin.id, "")]
    assert entries(*more) == [("create", world.admin.id, "reeks")]


def test_an_inactive_series_plans_nothing(world):
    series, planned = administration.save_series(None, region=world.zhz, by=world.admin, **series_values(active=False))
    db.session.commit()
    assert planned == [] and count(Meeting, Meeting.series_id == series.id) == 0
    assert entries(series) == [("create", world.admin.id, "")]


def test_save_series_leaves_the_commit_to_the_caller(world):
    administration.save_series(None, region=world.rr, by=world.admin, **series_values())
    db.session.rollback()
    assert count(MeetingSeries) == 0 and count(Meeting, Meeting.series_id.is_not(None)) == 0
    assert count(AuditEvent, AuditEvent.detail == "reeks") == 0

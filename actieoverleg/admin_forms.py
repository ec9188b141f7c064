"""The forms of the Beheer screens, with Dutch messages.

Uniqueness and the admin's own-account rules are checked here, next to the field they
concern, so a rejected form shows the message by that field and saves nothing. Each form
takes the object it edits (None when creating) to tell "taken by another" from "unchanged".
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from .extensions import db
from .forms import REQUIRED, Guarded, MultiCheckboxField, online_url_field, options, required
from .forms import select as select_field
from .models import Case, Organisation, Region, User
from .vocab import MeetingForm, OrganisationKind, Role

WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
REGIONLESS_ROLES = (Role.landelijk, Role.beheerder)  # these roles need no region
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _taken(column: Any, value: str, current: Any) -> bool:
    """Whether another row than `current` holds `value` in `column` (case-insensitive)."""
    query = select(column.class_.id).where(func.lower(column) == value.lower())
    if current is not None and current.id is not None:
        query = query.where(column.class_.id != current.id)
    return db.session.scalar(query.limit(1)) is not None


def region_has_cases(region: Region | None) -> bool:
    """A region with cases keeps its code: it is the prefix of every case code issued."""
    if region is None or region.id is None:
        return False
    return db.session.scalar(select(Case.id).where(Case.region_id == region.id).limit(1)) is not None


class RegionForm(FlaskForm):
    name = StringField(
        "Naam",
        filters=[_strip],
        validators=[required(), Length(max=80, message="Maximaal 80 tekens."), Guarded("name")],
    )
    code = StringField(
        "Code",
        filters=[_strip, _upper],
        validators=[required(), Regexp(r"^[A-Z]{2,4}$", message="Gebruik 2 tot 4 hoofdletters, bijvoorbeeld RR.")],
        render_kw={"autocomplete": "off", "maxlength": 4},
    )
    organisation_ids = MultiCheckboxField("Organisaties aan tafel", coerce=int)
    active = BooleanField("Actief", default=True)

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=region, **kwargs)
        self.region = region
        self.code_locked = region_has_cases(region)
        if self.code_locked:
            self.code.render_kw = dict(self.code.render_kw or {}, readonly=True)

    def validate_name(self, field: StringField) -> None:
        if _taken(Region.name, field.data, self.region):
            raise ValidationError("Er is al een regio met deze naam.")

    def validate_code(self, field: StringField) -> None:
        if self.code_locked and field.data != self.region.code:
            raise ValidationError("De code kan niet meer veranderen: de regio heeft al casussen met deze code.")
        if _taken(Region.code, field.data, self.region):
            raise ValidationError("Deze code is al in gebruik bij een andere regio.")


class OrganisationForm(FlaskForm):
    name = StringField(
        "Naam",
        filters=[_strip],
        validators=[required(), Length(max=120, message="Maximaal 120 tekens."), Guarded("name")],
    )
    short_name = StringField(
        "Korte naam",
        filters=[_strip],
        validators=[required(), Length(max=20, message="Maximaal 20 tekens.")],
        render_kw={"maxlength": 20},
    )
    kind = select_field("Soort", OrganisationKind.choices())
    position = IntegerField(
        "Volgorde aan tafel",
        default=100,
        validators=[InputRequired("Vul een getal in."), NumberRange(0, 9999, "Kies een getal van 0 tot 9999.")],
    )
    active = BooleanField("Actief", default=True)

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=organisation, **kwargs)
        self.organisation = organisation

    def validate_name(self, field: StringField) -> None:
        if _taken(Organisation.name, field.data, self.organisation):
            raise ValidationError("Er is al een organisatie met deze naam.")

    def validate_short_name(self, field: StringField) -> None:
        if _taken(Organisation.short_name, field.data, self.organisation):
            raise ValidationError("Deze korte naam is al in gebruik bij een andere organisatie.")


class UserForm(FlaskForm):
    """Edit an account: name, role, organisation, regions. The e-mail address stays."""

    name = StringField(
        "Naam",
        filters=[_strip],
        validators=[required(), Length(max=120, message="Maximaal 120 tekens.")],
        render_kw={"autocomplete": "off"},
    )
    role = select_field("Rol", Role.choices(), blank="Kies…")
    organisation_id = SelectField("Organisatie", coerce=int, validators=[InputRequired(REQUIRED)])
    region_ids = MultiCheckboxField("Regio's", coerce=int)

    def __init__(self, *args: Any, user: User | None = None, acting: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=user, **kwargs)
        self.user = user
        self.acting = acting

    def validate_role(self, field: SelectField) -> None:
        own = self.user is not None and self.acting is not None and self.user.id == self.acting.id
        if own and field.data != Role.beheerder.value:
            raise ValidationError("U kunt uw eigen rol van beheerder niet weghalen. Vraag een andere beheerder.")

    def validate_organisation_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError("Kies de organisatie waar deze persoon werkt.")

    def validate_region_ids(self, field: MultiCheckboxField) -> None:
        if not field.data and self.role.data not in [r.value for r in REGIONLESS_ROLES]:
            raise ValidationError("Kies minstens één regio (alleen landelijk en beheerder kunnen zonder).")


class NewUserForm(UserForm):
    """Invite someone: also the e-mail address (the person chooses their own password)."""

    email = EmailField(
        "E-mailadres",
        filters=[_strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[required(), Length(max=254, message="Maximaal 254 tekens.")],
        render_kw={"autocomplete": "off"},
    )

    def validate_email(self, field: EmailField) -> None:
        if not _EMAIL.match(field.data):
            raise ValidationError("Vul een geldig e-mailadres in, zoals naam@organisatie.nl.")
        if _taken(User.email, field.data, None):
            raise ValidationError("Er is al een account met dit e-mailadres.")


class SeriesForm(FlaskForm):
    """The weekly rhythm of a region's Actie-overleg."""

    weekday = SelectField(
        "Weekdag", coerce=int, choices=options(enumerate(WEEKDAYS)), validators=[InputRequired(REQUIRED)]
    )
    start_time = TimeField("Aanvang", validators=[InputRequired("Vul een tijd in, zoals 13:00.")])
    duration_minutes = IntegerField(
        "Duur (minuten)",
        default=120,
        validators=[InputRequired(REQUIRED), NumberRange(15, 480, "Tussen 15 en 480 minuten.")],
    )
    form = select_field("Vorm", MeetingForm.choices())
    location = StringField("Locatie", filters=[_strip], validators=[Optional(), Guarded("location")])
    online_url = online_url_field()
    active = BooleanField("Actief (overleggen worden gepland)", default=True)

"""Forms, with Dutch messages. Every free-text field goes through the content guard."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import privacy
from .clock import local_today
from .vocab import (
    ActionKind,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Children,
    Handover,
    MailMode,
    MeetingForm,
    ReopenReason,
)

REQUIRED = "Dit veld is verplicht."
NO_CHOICE = "Kies een van de mogelijkheden."


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (a fieldset in the form macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Guarded:
    """Runs the content guard (privacy.check_text) for a field kind; one error per problem."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, form: FlaskForm, field: Field) -> None:
        problems = privacy.check_text(field.data or "", self.kind)
        if problems:
            field.errors[:] = []
            raise ValidationError(" ".join(problems))


def required() -> DataRequired:
    return DataRequired(message=REQUIRED)


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def select(label: str, choices: list[tuple[str, str]], *validators: Any, blank: str | None = None) -> SelectField:
    """A select of fixed (value, label) choices; `blank` adds a first empty option."""
    pairs = ([("", blank)] if blank is not None else []) + choices
    return SelectField(
        label, choices=options(pairs), validators=list(validators) or [InputRequired(REQUIRED)], validate_choice=True
    )


def date_field(label: str, *validators: Any) -> DateField:
    return DateField(label, validators=list(validators) or [InputRequired(REQUIRED)], render_kw={"autocomplete": "off"})


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[required()], render_kw={"autocomplete": "username"})
    password = PasswordField("Wachtwoord", validators=[required()], render_kw={"autocomplete": "current-password"})


class CaseForm(FlaskForm):
    """Casus aanmelden: categories only, plus the partner's own file reference."""

    meeting_id = SelectField("Voor het overleg van", coerce=int, validators=[InputRequired(REQUIRED)])
    kind = select("Soort casus", CaseKind.choices(), blank="Kies…")
    children = select("Kinderen betrokken", Children.choices(), blank="Kies…")
    reason = select("Reden van aanmelden", CaseReason.choices(), blank="Kies…")
    needed = MultiCheckboxField(
        "Partners nodig aan tafel", coerce=int, validators=[DataRequired("Kies minstens één partner.")]
    )
    file_reference = StringField("Eigen dossiernummer (optioneel)", validators=[Optional(), Guarded("file_reference")])


class FollowUpForm(FlaskForm):
    """Herbespreking: an existing case back on an agenda, by its code."""

    code = StringField("Casuscode", validators=[required()], render_kw={"autocomplete": "off"})
    meeting_id = SelectField("Voor het overleg van", coerce=int, validators=[InputRequired(REQUIRED)])


class Step1Form(FlaskForm):
    shared = MultiCheckboxField("Partners die informatie deelden", coerce=int)
    assessment = select("Gezamenlijke duiding", Assessment.choices(), Optional(), blank="Nog niet geduid")
    seen = HiddenField()  # the panel's state when it was shown, to detect concurrent edits


class ActionForm(FlaskForm):
    organisation_id = SelectField("Eigenaar", coerce=int, validators=[InputRequired(REQUIRED)])
    text = StringField(
        "Afspraak",
        validators=[required(), Guarded("action")],
        render_kw={"maxlength": privacy.FIELD_LIMITS["action"], "autocomplete": "off"},
    )
    kind = select("Soort", ActionKind.choices())
    due_date = date_field("Termijn")
    assignee_id = SelectField("Persoon (optioneel)", coerce=int, default=0)

    def validate_due_date(self, field: DateField) -> None:
        if field.data and field.data < local_today() - dt.timedelta(days=1):
            raise ValidationError("De termijn ligt in het verleden.")


class Step3Form(FlaskForm):
    handover = select("Overdracht", Handover.choices(), Optional(), blank="Nog niet bepaald")
    return_date = DateField("Terug op de agenda op", validators=[Optional()])
    seen = HiddenField()  # 'terug' without a date yet is saved: closing asks for the date


class AttendanceRowForm(FlaskForm):
    organisation_id = HiddenField()
    status = select("Aanwezigheid", AttendanceStatus.choices())
    mandate = select("Mandaat", [("ja", "Ja"), ("nee", "Nee")], Optional(), blank="–")
    form = select("Vorm", AttendanceForm.choices(), Optional(), blank="–")


class ChairForm(FlaskForm):
    chair_organisation_id = SelectField("Voorzitter namens", coerce=int, validators=[InputRequired(REQUIRED)])


class MeetingPlanForm(FlaskForm):
    """Move a meeting, or plan an extra (spoed) one."""

    day = date_field("Datum")
    time = TimeField("Aanvang", validators=[InputRequired(REQUIRED)])
    duration_minutes = IntegerField(
        "Duur (minuten)",
        default=120,
        validators=[InputRequired(REQUIRED), NumberRange(15, 480, "Tussen 15 en 480 minuten.")],
    )
    location = StringField("Locatie of link", validators=[Optional(), Guarded("location")])
    form = select("Vorm", MeetingForm.choices())


class ReopenForm(FlaskForm):
    reason = select("Reden van heropenen", ReopenReason.choices(), blank="Kies…")


class PreparedForm(FlaskForm):
    prepared = BooleanField("Informatie voorbereid")


class MailPreferenceForm(FlaskForm):
    mail_mode = RadioField(
        "Wat staat er in uw mails?", choices=options(MailMode.choices()), validators=[InputRequired(NO_CHOICE)]
    )

"""Forms, with Dutch messages. Every free-text field goes through the content guard."""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from . import privacy
from .models import ONLINE_URL_MAX
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


# What a URL may hold (RFC 3986's characters); a host is a dotted name with an optional port.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_HOST = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:[0-9]{1,5})?")
LINK_HINT = "Kopieer de volledige link uit de uitnodiging van Teams, Zoom of een ander programma."


def link_problem(link: str) -> str | None:
    """Why `link` is not a usable join link for an online meeting (Dutch), or None.

    Only https: the link reaches every partner's mail and calendar, so it must not lead to
    an unencrypted page. The content guard does not apply: such links routinely hold long
    digit runs (meeting numbers), and they say nothing about a case.
    """
    if len(link) > ONLINE_URL_MAX:
        return f"De link is te lang: maximaal {ONLINE_URL_MAX} tekens. {LINK_HINT}"
    if any(c.isspace() for c in link):
        return f"Een link bevat geen spaties of regeleinden. {LINK_HINT}"
    if not link.lower().startswith("https://"):
        return "Gebruik een beveiligde link die begint met https://."
    parts = urlsplit(link)
    if not _URL_CHARACTERS.fullmatch(link) or "@" in parts.netloc or not _HOST.fullmatch(parts.netloc.lower()):
        return f"Dit is geen geldige link. {LINK_HINT}"
    return None


class OnlineLink:
    """The join link: required for an online or hybride meeting (the form's `form` field),
    checked by `link_problem`; for a fysiek meeting it is dropped (lifecycle.online_link)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        field.data = (field.data or "").strip()
        if form.form.data == MeetingForm.fysiek.value:
            return
        if not field.data:
            raise ValidationError("Vul de link naar het online overleg in: die is verplicht bij online en hybride.")
        problem = link_problem(field.data)
        if problem:
            raise ValidationError(problem)


def online_url_field() -> StringField:
    return StringField(
        "Link naar het online overleg",
        validators=[OnlineLink()],
        render_kw={"maxlength": ONLINE_URL_MAX, "autocomplete": "off", "inputmode": "url", "spellcheck": "false"},
    )


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

    # Own ids: the page that offers this form offers the case form's `meeting_id` too.
    code = StringField("Casuscode", validators=[required()], id="follow_up_code", render_kw={"autocomplete": "off"})
    meeting_id = SelectField(
        "Voor het overleg van", coerce=int, validators=[InputRequired(REQUIRED)], id="follow_up_meeting_id"
    )


class CaseSearchForm(FlaskForm):
    """Zoek casuscode: a plain GET form (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    code = StringField(
        "Casuscode",
        id="zoek-code",  # the header's own search field is `zoek-casuscode`
        render_kw={
            "maxlength": privacy.CASE_CODE_TYPED_MAX,
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )


class Step1Form(FlaskForm):
    shared = MultiCheckboxField("Partners die informatie deelden", coerce=int)
    assessment = select("Gezamenlijke duiding", Assessment.choices(), Optional(), blank="Nog niet geduid")
    seen = HiddenField()  # the panel's state when it was shown, to detect concurrent edits


class ActionForm(FlaskForm):
    """Step 2: a new point. The due date and the person are judged by the operation
    (`meeting_steps.add_action`), which knows the meeting's day."""

    organisation_id = SelectField("Eigenaar", coerce=int, validators=[InputRequired(REQUIRED)])
    text = StringField(
        "Afspraak",
        validators=[required(), Guarded("action")],
        render_kw={"maxlength": privacy.FIELD_LIMITS["action"], "autocomplete": "off"},
    )
    kind = select("Soort", ActionKind.choices())
    due_date = date_field("Termijn")
    assignee_id = SelectField("Persoon (optioneel)", coerce=int, default=0)


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


class GuestForm(FlaskForm):
    """A guest organisation for this one case, with its confidentiality acknowledgement."""

    organisation_id = SelectField("Gast voor deze casus", coerce=int, validators=[InputRequired(REQUIRED)])
    acknowledged = BooleanField("De gast heeft de geheimhoudingsverklaring bevestigd")


class MeetingPlanForm(FlaskForm):
    """Move a meeting, or plan an extra (spoed) one. A moment in the past is refused by the
    operation (`lifecycle.InThePast`), whose message the view puts next to "Datum"."""

    day = date_field("Datum")
    time = TimeField("Aanvang", validators=[InputRequired(REQUIRED)])
    duration_minutes = IntegerField(
        "Duur (minuten)",
        default=120,
        validators=[InputRequired(REQUIRED), NumberRange(15, 480, "Tussen 15 en 480 minuten.")],
    )
    location = StringField("Locatie", validators=[Optional(), Guarded("location")])
    form = select("Vorm", MeetingForm.choices())
    online_url = online_url_field()


class ReopenForm(FlaskForm):
    reason = select(
        "Reden van heropenen",
        ReopenReason.choices(),
        InputRequired("Kies een reden om het overleg te heropenen."),
        blank="Kies…",
    )


class PreparedForm(FlaskForm):
    prepared = BooleanField("Informatie voorbereid")


class PositionForm(FlaskForm):
    """Move an agenda item to a place in one step (the keyboard's and no-JS way to drag it)."""

    position = IntegerField(
        "Naar plaats",
        validators=[InputRequired(REQUIRED), NumberRange(min=1, message="Vul een plaats in; 1 is bovenaan.")],
    )


class MinutesForm(FlaskForm):
    """The chair's time for an agenda item; empty means no time planned."""

    minutes = IntegerField(
        "Geplande tijd (minuten)", validators=[Optional(), NumberRange(1, 480, "Tussen 1 en 480 minuten.")]
    )


class PlacementForm(FlaskForm):
    new_items_first = select(
        "Nieuwe casussen komen", [("onder", "Onderaan de agenda"), ("boven", "Bovenaan de agenda")]
    )


class MailPreferenceForm(FlaskForm):
    mail_mode = RadioField(
        "Wat staat er in uw mails?", choices=options(MailMode.choices()), validators=[InputRequired(NO_CHOICE)]
    )


class ActionEditForm(ActionForm):
    """Step 2: a point of this meeting, corrected in its row (the form is prefixed per point)."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(REQUIRED)])


class ReviseActionForm(FlaskForm):
    """Step 2: an earlier meeting's open point, agreed anew: its due date or its owner."""

    organisation_id = SelectField("Eigenaar", coerce=int, validators=[InputRequired(REQUIRED)])
    due_date = date_field("Termijn")
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(REQUIRED)])

"""The forms of signing in and of one's own account, with Dutch messages.

Every password field is capped at `passwords.MAX_LENGTH` with a Dutch message (never cut
short); a new password is checked by `passwords.password_problem` against the person's own
name and address.
"""

from __future__ import annotations

from typing import Any, Iterable

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import Length, ValidationError

from . import passwords
from .forms import required

TOO_LONG = f"Een wachtwoord heeft hoogstens {passwords.MAX_LENGTH} tekens."


def password_field(label: str, autocomplete: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[required(), Length(max=passwords.MAX_LENGTH, message=TOO_LONG)],
        render_kw={"autocomplete": autocomplete, "maxlength": passwords.MAX_LENGTH},
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[required()], render_kw={"autocomplete": "username"})
    password = password_field("Wachtwoord", "current-password")


class NewPasswordForm(FlaskForm):
    """Choose a password (through an invitation or reset link); typed twice."""

    password = password_field("Nieuw wachtwoord", "new-password")
    repeat = password_field("Herhaal het nieuwe wachtwoord", "new-password")

    def __init__(self, *args: Any, personal: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.personal = tuple(personal)

    def validate_password(self, field: PasswordField) -> None:
        problem = passwords.password_problem(field.data, self.personal)
        if problem:
            raise ValidationError(problem)

    def validate_repeat(self, field: PasswordField) -> None:
        if field.data != self.password.data:
            raise ValidationError("De twee wachtwoorden zijn niet gelijk.")


class ChangePasswordForm(NewPasswordForm):
    """Profiel › Wachtwoord wijzigen: the current password first. Prefixed: the profile page
    holds other password forms."""

    current = password_field("Huidig wachtwoord", "current-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="wijzig", **kwargs)


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        filters=[lambda v: v.replace(" ", "").strip() if isinstance(v, str) else v],
        validators=[required(), Length(max=20, message="Vul de code van zes cijfers in.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 20},
    )


class ConfirmPasswordForm(FlaskForm):
    """Turning two-factor sign-in off or starting over asks for the password again (prefixed,
    as it shares the profile page)."""

    password = password_field("Wachtwoord", "current-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="uit", **kwargs)


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mailadres",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[required(), Length(max=254, message="Maximaal 254 tekens.")],
        render_kw={"autocomplete": "username"},
    )

"""The fixed vocabularies of the Actie-overleg (docs/rules.md §1–§4), with their Dutch labels.

Values are stored in the database; labels are what users read. Categories are coarse on
purpose: they make statistics possible without describing a case.
"""

from __future__ import annotations

import enum


class Choice(str, enum.Enum):
    """A string enum whose members carry a Dutch label."""

    label: str

    def __new__(cls, value: str, label: str) -> "Choice":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select field."""
        return [(m.value, m.label) for m in cls]


class Role(Choice):
    beheerder = "beheerder", "Beheerder"
    voorzitter = "voorzitter", "Voorzitter"
    deelnemer = "deelnemer", "Deelnemer"
    landelijk = "landelijk", "Landelijk voorzittersoverleg"


class OrganisationKind(Choice):
    partner = "partner", "Partner Veiligheid Voorop"
    guest = "guest", "Gast"


class MeetingForm(Choice):
    fysiek = "fysiek", "Fysiek"
    online = "online", "Online"
    hybride = "hybride", "Hybride"


class MeetingStatus(Choice):
    gepland = "gepland", "Gepland"
    afgesloten = "afgesloten", "Afgesloten"
    geannuleerd = "geannuleerd", "Geannuleerd"


class CaseKind(Choice):
    hg = "hg", "Huiselijk geweld"
    km = "km", "Kindermishandeling"
    stalking = "stalking", "Ex-partnerstalking"
    eer = "eer", "Eergerelateerd geweld"
    zeden = "zeden", "Zeden"
    overig = "overig", "Overig"


class Children(Choice):
    ja = "ja", "Ja"
    nee = "nee", "Nee"
    onbekend = "onbekend", "Onbekend"


class CaseReason(Choice):
    samenloop = "samenloop", "Samenloop zorg-straf"
    escalatie = "escalatie", "Dreigende escalatie"
    geen_verdachte = "geen_verdachte", "Geen verdachte aangehouden"
    stagnatie = "stagnatie", "Stagnatie in de aanpak"
    overig = "overig", "Overig"


class ItemKind(Choice):
    nieuw = "nieuw", "Nieuw"
    herbespreking = "herbespreking", "Herbespreking"
    automatisch = "automatisch", "Automatisch"


class AgendaReason(Choice):
    """Why a case came on the agenda by itself; the label is a template for `AgendaItem.reason_text`."""

    terug = "terug", "terug op de agenda per {day}"
    verlopen = "verlopen", "actiepunt {org} verlopen op {day}"
    niet_uitgevoerd = "niet_uitgevoerd", "actiepunt {org} niet uitgevoerd (gemeld {day})"


class Assessment(Choice):
    acuut = "acuut", "Acuut onveilig"
    structureel = "structureel", "Structureel onveilig"
    zorgelijk = "zorgelijk", "Zorgelijk, niet onveilig"
    onvoldoende_zicht = "onvoldoende_zicht", "Onvoldoende zicht"


class ActionKind(Choice):
    directe = "directe", "Directe veiligheid"
    structurele = "structurele", "Structurele veiligheid"
    onderzoek = "onderzoek", "Onderzoek"


class ActionStatus(Choice):
    open = "open", "Open"
    afgerond = "afgerond", "Afgerond"
    niet_mogelijk = "niet_mogelijk", "Niet mogelijk (omstandigheden gewijzigd)"
    niet_uitgevoerd = "niet_uitgevoerd", "Niet uitgevoerd"
    overgedragen = "overgedragen", "Overgedragen"

    @classmethod
    def results(cls) -> list["ActionStatus"]:
        """The results a partner can tick off with (everything but open)."""
        return [m for m in cls if m is not cls.open]


class Handover(Choice):
    lokaal_team = "lokaal_team", "Lokaal team / wijkteam"
    zvh = "zvh", "Zorg- en Veiligheidshuis"
    mda = "mda", "MDA++"
    regulier = "regulier", "Reguliere aanpak bij partner"
    terug = "terug", "Terug op de agenda op datum"
    afgesloten = "afgesloten", "Afgesloten"


class AttendanceStatus(Choice):
    aanwezig = "aanwezig", "Aanwezig"
    afgemeld = "afgemeld", "Afwezig met bericht"
    afwezig = "afwezig", "Afwezig"
    informatie = "informatie", "Informatie aangeleverd"


class AttendanceForm(Choice):
    fysiek = "fysiek", "Fysiek"
    online = "online", "Online"


class ReopenReason(Choice):
    """Why a chair reopens a closed record: a fixed list, so the audit log carries no free text."""

    correctie_actiepunt = "correctie_actiepunt", "Correctie van een actiepunt"
    correctie_aanwezigheid = "correctie_aanwezigheid", "Correctie van de aanwezigheid"
    correctie_stappen = "correctie_stappen", "Correctie van duiding of overdracht"
    te_vroeg_afgesloten = "te_vroeg_afgesloten", "Te vroeg afgesloten"


class MailMode(Choice):
    """How much a member's mails say: partner staff may not want action texts in their inbox."""

    volledig = "volledig", "Volledig: casuscodes, actiepunten en termijnen"
    link = "link", "Alleen een link: hoeveel er is, zonder teksten"


class MailKind(Choice):
    agenda = "agenda", "Agenda"
    wijziging = "wijziging", "Wijziging van het overleg"
    afgelast = "afgelast", "Afgelast overleg"
    verslag = "verslag", "Actiepunten na het overleg"
    herinnering = "herinnering", "Herinnering actiepunten"
    account = "account", "Uitnodiging of wachtwoordlink"


class OutboxStatus(Choice):
    wachtend = "wachtend", "Wachtend"
    bezig = "bezig", "Wordt verzonden"
    verzonden = "verzonden", "Verzonden"
    mislukt = "mislukt", "Mislukt"


class AuditOutcome(Choice):
    """How an audited attempt ended."""

    success = "success", "gelukt"
    denied = "denied", "geweigerd"
    failed = "failed", "mislukt"


class AuditAction(Choice):
    """What the audit log records (the stored value) and how Beheer › Auditlog names it."""

    create = "create", "aangemaakt"
    change = "change", "gewijzigd"
    delete = "delete", "verwijderd"
    remove = "remove", "van de agenda gehaald"
    defer = "defer", "doorgeschoven"
    undefer = "undefer", "toch besproken"
    current = "current", "nu in bespreking"
    guest = "guest", "gast toegevoegd"
    guest_remove = "guest_remove", "gast verwijderd"
    follow_up = "follow_up", "herbespreking"
    send_agenda = "send_agenda", "agenda verstuurd"
    cancel = "cancel", "geannuleerd"
    close = "close", "afgesloten"
    reopen = "reopen", "heropend"
    tick_off = "tick_off", "afgevinkt"
    restore = "restore", "teruggezet"
    access = "access", "toegang"  # a page or action refused (outcome denied)
    view = "view", "ingezien"  # a meeting record opened, a calendar feed read
    login = "login", "ingelogd"
    activate = "activate", "geactiveerd"
    deactivate = "deactivate", "gedeactiveerd"
    mail_preference = "mail_preference", "mail-voorkeur"
    feed_create = "feed_create", "agenda-abonnement gemaakt"
    feed_renew = "feed_renew", "agenda-abonnement vernieuwd"
    feed_stop = "feed_stop", "agenda-abonnement gestopt"
    retry = "retry", "opnieuw verstuurd"
    export = "export", "geëxporteerd"
    print = "print", "afgedrukt"
    retention = "retention", "bewaartermijn toegepast"
    login_failed = "login_failed", "inloggen mislukt"
    lockout = "lockout", "geblokkeerd na te veel pogingen"
    logout = "logout", "uitgelogd"
    totp_enrol = "totp_enrol", "tweestapsverificatie ingesteld"
    totp_disable = "totp_disable", "tweestapsverificatie uitgezet"
    totp_reset = "totp_reset", "tweestapsverificatie gereset"
    recovery_used = "recovery_used", "herstelcode gebruikt"
    invite = "invite", "uitnodiging verstuurd"
    invite_accept = "invite_accept", "uitnodiging aanvaard"
    reset_request = "reset_request", "wachtwoordherstel aangevraagd"
    password_reset = "password_reset", "wachtwoord hersteld"
    password_change = "password_change", "wachtwoord gewijzigd"
    role_change = "role_change", "rol gewijzigd"
    regions_change = "regions_change", "regio's gewijzigd"
    session_end = "session_end", "sessie beëindigd"


class TokenPurpose(Choice):
    """What a one-time account link is for (auth_links.py)."""

    uitnodiging = "uitnodiging", "Uitnodiging"
    wachtwoord = "wachtwoord", "Nieuw wachtwoord"

"""The calendar feed's token and the mail preference (actieoverleg.subscriptions) as plain
functions: the owner's own changes, each audited under their name, never with the token."""

from __future__ import annotations

from actieoverleg import subscriptions
from actieoverleg.extensions import db
from actieoverleg.vocab import MailMode

from .records import entries


def test_renew_makes_a_token_and_replaces_it_at_once(world):
    member = world.politie_user
    first = subscriptions.renew(member)
    db.session.commit()
    assert member.feed_token == first and subscriptions.user_for(first) is member

    second = subscriptions.renew(member)
    db.session.commit()
    assert second != first
    assert subscriptions.user_for(first) is None and subscriptions.user_for(second) is member
    assert entries(member) == [("feed_create", member.id, ""), ("feed_renew", member.id, "")]


def test_stop_ends_the_feed(world):
    member = world.vt_user
    token = subscriptions.renew(member)
    subscriptions.stop(member)
    db.session.commit()
    assert member.feed_token is None and subscriptions.user_for(token) is None
    assert entries(member) == [("feed_create", member.id, ""), ("feed_stop", member.id, "")]


def test_a_token_of_an_inactive_account_or_a_non_member_leads_nowhere(world):
    member, admin = world.vt_user, world.admin
    member_token, admin_token = subscriptions.renew(member), subscriptions.renew(admin)
    member.active = False
    db.session.commit()
    assert subscriptions.user_for(member_token) is None
    assert subscriptions.user_for(admin_token) is None


def test_the_feed_token_is_kept_only_once_committed(world):
    member = world.vt_user
    token = subscriptions.renew(member)
    db.session.rollback()
    assert subscriptions.user_for(token) is None and member.feed_token is None
    assert entries(member) == []


def test_set_mail_mode_is_audited_with_the_mode(world):
    member = world.vt_user
    subscriptions.set_mail_mode(member, MailMode.link)
    db.session.commit()
    db.session.expire_all()
    assert member.mail_mode is MailMode.link
    subscriptions.set_mail_mode(member, MailMode.volledig)
    db.session.commit()
    db.session.expire_all()
    assert member.mail_mode is MailMode.volledig
    assert entries(member) == [("mail_preference", member.id, "link"), ("mail_preference", member.id, "volledig")]

"""Use cases of an organiser's teams: invite, accept, change a role, revoke it, leave.

A role is for one event or (organiser-level, `ORGANISER_ROLES`) for all the organiser's
events. Every change is logged on the event or the organiser it belongs to. An organiser
always keeps one owner of its own: the last one can neither be revoked nor leave.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from goedeburen.common.audit import log_action
from goedeburen.common.links import absolute_url
from goedeburen.common.locks import hold_until_commit
from goedeburen.common.tasks import enqueue_on_commit

from . import exceptions, tasks
from .exceptions import EventError
from .models import ORGANISER_ROLES, Event, Invitation, Organiser, Role, TeamMember

_SALT = "goedeburen.events.invitation"


def _now() -> dt.datetime:
    return timezone.now()


def _subject(member_or_invitation) -> Event | Organiser:
    """Return what a role change is logged on: its event, or the organiser for a wide role."""
    if member_or_invitation.event_id is not None:
        return member_or_invitation.event
    return member_or_invitation.organiser


def _check_level(*, role: str, event: Event | None) -> None:
    if role not in Role.values:
        raise EventError(exceptions.UNKNOWN_ROLE, code="unknown_role")
    if event is None and role not in ORGANISER_ROLES:
        raise EventError(exceptions.ROLE_NEEDS_EVENT, code="role_needs_event")


def _forget_roles(user) -> None:
    # `events.rules` keeps a user's roles on the user object for one request.
    user.__dict__.pop("_team_roles", None)


def lock_team(organiser_id: int) -> None:
    """Hold other changes of this organiser's roles until the transaction ends.

    Taken before the role's own row: two owners who take each other's role at once are
    then decided one after the other (the second finds itself the last owner), where
    locking their two rows in two orders met in a deadlock.
    """
    hold_until_commit("team", str(organiser_id))


def _owners_left(organiser: Organiser, *, without: TeamMember) -> int:
    # Under `lock_team`: no other change of an owner's role runs between this and commit.
    owners = TeamMember.objects.filter(organiser=organiser, event__isnull=True, role=Role.OWNER)
    return len([pk for pk in owners.values_list("pk", flat=True) if pk != without.pk])


def _keeps_an_owner(member: TeamMember) -> None:
    is_owner = member.event_id is None and member.role == Role.OWNER
    if is_owner and _owners_left(member.organiser, without=member) == 0:
        raise EventError(exceptions.LAST_OWNER, code="last_owner")


def invitation_token(invitation: Invitation) -> str:
    """Return the signed token of the invitation's link.

    It is computed from the row (its id and when it was made) and the secret key, so it is
    never stored: the worker that mails it computes it again.
    """
    return signing.Signer(salt=_SALT).sign_object(
        {"i": invitation.pk, "c": invitation.created.isoformat()}
    )


def invitation_for_token(token: str) -> Invitation | None:
    """Return the invitation a token opens, or None for a token that was not signed here."""
    try:
        value = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("i"), int):
        return None
    invitation = (
        Invitation.objects.select_related("organiser", "event").filter(pk=value["i"]).first()
    )
    if invitation is None or invitation.created.isoformat() != value.get("c"):
        return None
    return invitation


def account_exists_for(email: str) -> bool:
    """Tell whether an account has this e-mail address (for an invitation's own page)."""
    return get_user_model().objects.filter(email__iexact=email).exists()


def invite(
    organiser: Organiser, *, email: str, role: str, event: Event | None, by, language: str
) -> Invitation:
    """Invite `email` to take `role` for `event` (or organiser-wide when event is None).

    Raise `EventError` for a role that does not exist at that level or an event of another
    organiser. Side effects: the invitation row; its mail queued (task, in `language`); a
    log entry on the event or organiser.
    """
    _check_level(role=role, event=event)
    if event is not None and event.organiser_id != organiser.pk:
        raise EventError(exceptions.NOT_PART_OF_EVENT, code="wrong_event")
    email = get_user_model().objects.normalize_email(email).strip()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organiser=organiser,
            event=event,
            email=email,
            role=role,
            invited_by=by,
            expires_at=_now() + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        log_action(
            _subject(invitation),
            action="team.invited",
            by=by,
            data={"email": email, "role": role},
        )
        enqueue_on_commit(tasks.send_invitation, invitation.pk, language)
    return invitation


def send_invitation_mail(invitation: Invitation, *, language: str) -> bool:
    """Send the invitation's mail with its link, in `language`; skip one no longer open.

    Side effect: one mail over SMTP. Return whether it was sent.
    """
    if not invitation.is_open:
        return False
    with translation.override(language):
        link = absolute_url(
            reverse("backoffice:invitation", kwargs={"token": invitation_token(invitation)})
        )
        context = {
            "invitation": invitation,
            "link": link,
            "role": invitation.get_role_display(),
            "where": invitation.event or invitation.organiser,
            "by": invitation.invited_by.get_full_name() or invitation.invited_by.get_username()
            if invitation.invited_by
            else "",
        }
        subject = render_to_string("events/mail/invitation_subject.txt", context).strip()
        body = render_to_string("events/mail/invitation.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    return True


def revoke_invitation(invitation: Invitation, *, by) -> None:
    """Withdraw an open invitation. Side effects: the row marked; a log entry."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise EventError(exceptions.INVITATION_USED, code="invitation_used")
        locked.revoked_at = _now()
        locked.save(update_fields=["revoked_at"])
        log_action(
            _subject(locked),
            action="team.invitation_revoked",
            by=by,
            data={"email": locked.email, "role": locked.role},
        )


def check_invitation(invitation: Invitation) -> None:
    """Raise `EventError` when the invitation can no longer be accepted."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise EventError(exceptions.INVITATION_USED, code="invitation_used")
    if invitation.expires_at <= _now():
        raise EventError(exceptions.INVITATION_EXPIRED, code="invitation_expired")


def accept_invitation(invitation: Invitation, *, user) -> TeamMember:
    """Give `user` the invitation's role, once, if the invitation is open and for their address.

    Raise `EventError` for an invitation that was used, withdrawn or expired, or that is for
    another e-mail address. Side effects: the role; the invitation marked used; a log entry.
    """
    with transaction.atomic():
        locked = lock_invitation(invitation.pk)
        check_invitation(locked)
        if (user.email or "").strip().lower() != locked.email.lower():
            raise EventError(exceptions.INVITATION_OTHER_ADDRESS, code="other_address")
        member, _created = TeamMember.objects.get_or_create(
            organiser=locked.organiser, event=locked.event, user=user, role=locked.role
        )
        locked.accepted_at = _now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            _subject(locked),
            action="team.joined",
            by=user,
            data={"user": user.get_username(), "role": locked.role},
        )
    _forget_roles(user)
    return member


def create_account_and_accept(invitation: Invitation, *, username: str, password: str):
    """Make an account with the invitation's address and accept the invitation for it.

    The caller validated the user name and password. Raise `EventError` as
    `accept_invitation` does, "username_taken", and "account_exists" when the address has
    an account (made meanwhile, perhaps through another organiser's invitation: one
    person, one account). The invitation is locked first: the same form sent twice at
    once (a double click) makes one account, and the second is told the invitation was
    used. Side effects: the user; the role; log entries.
    """
    User = get_user_model()
    with transaction.atomic():
        invitation = lock_invitation(invitation.pk)
        check_invitation(invitation)
        lock_account_address(invitation.email)
        if account_exists_for(invitation.email):
            raise EventError(exceptions.ACCOUNT_EXISTS, code="account_exists")
        if User.objects.filter(username__iexact=username).exists():
            raise EventError(exceptions.USERNAME_TAKEN, code="username_taken")
        user = User(username=username, email=invitation.email)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as taken:
            # Taken this moment by another new account (another invitation's).
            raise EventError(exceptions.USERNAME_TAKEN, code="username_taken") from taken
        accept_invitation(invitation, user=user)
    return user


def lock_account_address(email: str) -> None:
    """Hold others making an account for this address until the transaction ends: two
    invitations for one address (from two organisers) accepted at once make one account."""
    hold_until_commit("account-email", email.strip().lower())


def lock_invitation(pk: int) -> Invitation:
    """Return the invitation (with organiser and event), its row locked until the
    transaction ends: whoever uses it second waits here and then finds it used."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organiser", "event")
        .get(pk=pk)
    )


def change_role(member: TeamMember, *, role: str, by) -> TeamMember:
    """Give the member another role at the same level (event or organiser).

    Raise `EventError` for a role that does not exist at that level, a role the member
    already has, or when it would leave the organiser without an owner. Side effects: the
    row changed; a log entry.
    """
    with transaction.atomic():
        lock_team(member.organiser_id)
        locked = (
            TeamMember.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member.pk)
        )
        _check_level(role=role, event=locked.event)
        if role == locked.role:
            return locked
        if TeamMember.objects.filter(
            organiser_id=locked.organiser_id, event_id=locked.event_id, user=locked.user, role=role
        ).exists():
            raise EventError(exceptions.ROLE_HELD, code="role_held")
        _keeps_an_owner(locked)
        before = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        log_action(
            _subject(locked),
            action="team.role_changed",
            by=by,
            data={"user": locked.user.get_username(), "role": [before, role]},
        )
    _forget_roles(locked.user)
    return locked


def revoke_role(member: TeamMember, *, by) -> None:
    """Take a role away. Raise `EventError` for the organiser's last owner.

    Side effects: the row deleted; a log entry.
    """
    with transaction.atomic():
        lock_team(member.organiser_id)
        locked = (
            TeamMember.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member.pk)
        )
        _keeps_an_owner(locked)
        log_action(
            _subject(locked),
            action="team.role_removed",
            by=by,
            data={"user": locked.user.get_username(), "role": locked.role},
        )
        locked.delete()
    _forget_roles(locked.user)


def leave(member: TeamMember, *, user) -> None:
    """Give up one's own role. Raise `EventError` for someone else's role or the last owner.

    Side effects: the row deleted; a log entry.
    """
    if member.user_id != user.pk:
        raise EventError(exceptions.NOT_YOUR_ROLE, code="not_your_role")
    with transaction.atomic():
        lock_team(member.organiser_id)
        locked = TeamMember.objects.select_for_update().get(pk=member.pk)
        _keeps_an_owner(locked)
        log_action(
            _subject(locked),
            action="team.left",
            by=user,
            data={"user": user.get_username(), "role": locked.role},
        )
        locked.delete()
    _forget_roles(user)

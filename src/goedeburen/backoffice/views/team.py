"""Teams: who works on an event (or on all the organiser's events) in which role.

An event's owner manages the event's roles; the organiser's owner manages those and the
organiser-level roles (owner, finance). Invitations go by e-mail; roles are changed,
revoked or unlocked (after a lockout) per member. Every change is logged by `events.teams`.
"""

from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from goedeburen.accounts import queries as account_queries
from goedeburen.accounts import services as account_services
from goedeburen.backoffice.forms.team import (
    InviteForm,
    OrganiserInviteForm,
    RoleForm,
    event_role_choices,
    organiser_role_choices,
)
from goedeburen.backoffice.permissions import EventPermissionMixin, OrganiserPermissionMixin
from goedeburen.backoffice.views.base import SentOnceMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.events import teams
from goedeburen.events.exceptions import EventError
from goedeburen.events.models import Invitation, TeamMember
from goedeburen.events.rules import event_filter
from goedeburen.matching.models import SessionHost


def _members(queryset) -> list[TeamMember]:
    # Organiser-wide roles (no event) last, on SQLite as on PostgreSQL (which puts NULL last).
    return list(
        queryset.select_related("user", "event").order_by(
            F("event__date").asc(nulls_last=True),
            F("event_id").asc(nulls_last=True),
            "user__username",
            "role",
        )
    )


def _rows(members: list[TeamMember], *, hosted: dict) -> list[dict]:
    """Return what the team table shows per member, with the role form of its level."""
    locked = account_queries.locked_usernames(m.user.get_username() for m in members)
    rows = []
    for member in members:
        choices = organiser_role_choices() if member.event_id is None else event_role_choices()
        rows.append(
            {
                "member": member,
                "form": RoleForm(initial={"role": member.role}, roles=choices, prefix=member.pk),
                "locked": member.user.get_username() in locked,
                "sessions": hosted.get((member.user_id, member.event_id), []),
            }
        )
    return rows


def _hosted_sessions(members: list[TeamMember], *, organiser_id: int) -> dict:
    """Return the sessions each member sees the list of, by (user id, event id): one query."""
    hosted = {}
    links = SessionHost.objects.filter(
        user_id__in={m.user_id for m in members}, session__round__event__organiser_id=organiser_id
    ).select_related("session__round")
    for link in links:
        hosted.setdefault((link.user_id, link.session.round.event_id), []).append(link.session)
    return hosted


class _MemberAction(ConfirmFirstMixin, View):
    """POST on one member: "role" (change it), "remove" (revoke it) or "unlock"."""

    http_method_names = ["post"]
    confirm_title = gettext_lazy("Take this role away?")
    confirm_text = gettext_lazy(
        "The person loses the role at once, and with it the screens it opens."
    )
    confirm_button = gettext_lazy("Take the role away")

    def needs_confirmation(self, request) -> bool:
        return "remove" in request.POST

    def check_target(self) -> None:
        if not self.member_queryset().filter(pk=self.kwargs["pk"]).exists():
            raise Http404

    def member_queryset(self):
        raise NotImplementedError

    def back(self):
        raise NotImplementedError

    def post(self, request, *args, pk, **kwargs):
        member = self.member_queryset().select_related("user", "organiser").filter(pk=pk).first()
        if member is None:
            raise Http404
        try:
            if "unlock" in request.POST:
                account_services.unlock(member.user, organiser=member.organiser, by=request.user)
                messages.success(request, _("%(name)s can sign in again.") % {"name": member.user})
            elif "remove" in request.POST:
                teams.revoke_role(member, by=request.user)
                messages.success(request, _("The role is taken away."))
            else:
                choices = (
                    organiser_role_choices() if member.event_id is None else event_role_choices()
                )
                form = RoleForm(request.POST, roles=choices, prefix=member.pk)
                if not form.is_valid():
                    messages.error(request, _("Choose one of the roles."))
                    return self.back()
                teams.change_role(member, role=form.cleaned_data["role"], by=request.user)
                messages.success(request, _("The role is changed."))
        except EventError as refused:
            messages.error(request, refused.message)
        return self.back()


class _InvitationRevoke(ConfirmFirstMixin, View):
    http_method_names = ["post"]
    confirm_title = gettext_lazy("Withdraw this invitation?")
    confirm_text = gettext_lazy("The link in the invitation stops working.")
    confirm_button = gettext_lazy("Withdraw the invitation")

    def check_target(self) -> None:
        if not self.invitation_queryset().filter(pk=self.kwargs["pk"]).exists():
            raise Http404

    def post(self, request, *args, pk, **kwargs):
        invitation = self.invitation_queryset().filter(pk=pk).first()
        if invitation is None:
            raise Http404
        try:
            teams.revoke_invitation(invitation, by=request.user)
        except EventError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The invitation is withdrawn."))
        return self.back()


class InviteMixin(SentOnceMixin):
    """A team screen's invite form: `invite_form(data)` makes it, `invite_where(form)` says
    for which organiser and event (None: organiser-wide). Sent twice, it is one invitation
    and one mail (`SentOnceMixin`)."""

    def fallback_address(self) -> str:
        return self.team_address()

    def post(self, request, *args, **kwargs):
        if answer := self.sent_before():
            return answer
        form = self.invite_form(request.POST)
        if form.is_valid():
            organiser, event = self.invite_where(form)

            def send() -> str:
                teams.invite(
                    organiser,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    event=event,
                    by=request.user,
                    language=translation.get_language(),
                )
                return self.team_address()

            try:
                address, before = self.make(send)
            except EventError as refused:
                form.add_error(None, refused.message)
            else:
                if not before:
                    messages.success(
                        request,
                        _("An invitation is sent to %(email)s.")
                        % {"email": form.cleaned_data["email"]},
                    )
                return redirect(address)
        return self.render_to_response(self.get_context_data(invite_form=form))


class EventTeamMixin(EventPermissionMixin):
    permission_required = "events.manage_team"

    def back(self):
        return redirect(self.team_address())

    def team_address(self) -> str:
        return reverse("backoffice:team.event", kwargs={"event": self.event.slug})


class EventTeamView(InviteMixin, EventTeamMixin, TemplateView):
    """The event's team: everyone with a role for it, open invitations, and an invite form."""

    template_name = "backoffice/team/event.html"

    def get_context_data(self, **kwargs):
        members = _members(TeamMember.objects.filter(event_filter(self.event)))
        kwargs.setdefault("invite_form", InviteForm(roles=event_role_choices()))
        kwargs.update(
            section="team",
            rows=_rows(
                members, hosted=_hosted_sessions(members, organiser_id=self.event.organiser_id)
            ),
            invitations=list(
                Invitation.objects.filter(
                    event=self.event, accepted_at__isnull=True, revoked_at__isnull=True
                ).order_by("-created")
            ),
        )
        return super().get_context_data(**kwargs)

    def invite_form(self, data):
        return InviteForm(data, roles=event_role_choices())

    def invite_where(self, form) -> tuple:
        return self.event.organiser, self.event


class EventTeamMemberView(EventTeamMixin, _MemberAction):
    """Change, revoke or unlock one role of this event (organiser-level roles: not here)."""

    def member_queryset(self):
        return TeamMember.objects.filter(event=self.event)


class EventInvitationRevokeView(EventTeamMixin, _InvitationRevoke):
    def invitation_queryset(self):
        return Invitation.objects.filter(event=self.event)


class OrganiserTeamMixin(OrganiserPermissionMixin):
    permission_required = "events.manage_organiser"

    def back(self):
        return redirect(self.team_address())

    def team_address(self) -> str:
        return reverse("backoffice:team.organiser", kwargs={"organiser": self.organiser.slug})


class OrganiserTeamView(InviteMixin, OrganiserTeamMixin, TemplateView):
    """The organiser's team: its owners and finance, then each event's roles."""

    template_name = "backoffice/team/organiser.html"

    def get_context_data(self, **kwargs):
        members = _members(TeamMember.objects.filter(organiser=self.organiser))
        kwargs.setdefault("invite_form", OrganiserInviteForm(organiser=self.organiser))
        rows = _rows(members, hosted=_hosted_sessions(members, organiser_id=self.organiser.pk))
        kwargs.update(
            wide_rows=[r for r in rows if r["member"].event_id is None],
            event_rows=[r for r in rows if r["member"].event_id is not None],
            invitations=list(
                Invitation.objects.filter(
                    Q(organiser=self.organiser), accepted_at__isnull=True, revoked_at__isnull=True
                )
                .select_related("event")
                .order_by("-created")
            ),
        )
        return super().get_context_data(**kwargs)

    def invite_form(self, data):
        return OrganiserInviteForm(data, organiser=self.organiser)

    def invite_where(self, form) -> tuple:
        return self.organiser, form.cleaned_data["event"]


class OrganiserTeamMemberView(OrganiserTeamMixin, _MemberAction):
    """Change, revoke or unlock any role of the organiser, at either level."""

    def member_queryset(self):
        return TeamMember.objects.filter(organiser=self.organiser)


class OrganiserInvitationRevokeView(OrganiserTeamMixin, _InvitationRevoke):
    def invitation_queryset(self):
        return Invitation.objects.filter(organiser=self.organiser)

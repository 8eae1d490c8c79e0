"""The people and projects on the programme: speakers (also film makers and hosts) and the
mixed-housing projects."""

from django.utils.translation import gettext_lazy as _

from goedeburen.backoffice.forms.people import ProjectForm, SpeakerForm
from goedeburen.events.models import Project, Speaker

from . import base


class SpeakerMixin:
    model = Speaker
    name = "speaker"


class SpeakerListView(SpeakerMixin, base.EventPartListView):
    pass


class SpeakerCreateView(SpeakerMixin, base.EventPartCreateView):
    form_class = SpeakerForm


class SpeakerUpdateView(SpeakerMixin, base.EventPartUpdateView):
    form_class = SpeakerForm


class SpeakerDeleteView(SpeakerMixin, base.EventPartDeleteView):
    warning = _("The speaker is taken off every programme item and session.")


class ProjectMixin:
    model = Project
    name = "project"


class ProjectListView(ProjectMixin, base.EventPartListView):
    pass


class ProjectCreateView(ProjectMixin, base.EventPartCreateView):
    form_class = ProjectForm


class ProjectUpdateView(ProjectMixin, base.EventPartUpdateView):
    form_class = ProjectForm


class ProjectDeleteView(ProjectMixin, base.EventPartDeleteView):
    warning = _("The project is taken off every programme item and session.")

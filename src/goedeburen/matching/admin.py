from django.contrib import admin

from .models import AssignmentRun, MatchingSettings, Pin, SessionHost

admin.site.register(MatchingSettings)
admin.site.register(Pin)
admin.site.register(SessionHost)


@admin.register(AssignmentRun)
class AssignmentRunAdmin(admin.ModelAdmin):
    list_display = ["event", "created", "status", "solver_status", "objective", "is_published"]

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "ketnap.targets"
    label = "targets"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.targets.rollups import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="targets.on_calendar_changed")

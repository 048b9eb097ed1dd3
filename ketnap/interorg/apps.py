from django.apps import AppConfig


class InterorgConfig(AppConfig):
    name = "ketnap.interorg"
    label = "interorg"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.interorg.deadlines import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="interorg.on_calendar_changed")

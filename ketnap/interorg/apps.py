from django.apps import AppConfig


class InterorgConfig(AppConfig):
    name = "ketnap.interorg"
    label = "interorg"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.interorg.deadlines import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.register(on_calendar_changed)

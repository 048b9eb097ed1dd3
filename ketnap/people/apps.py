from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ketnap.people"
    label = "people"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.people.recompute import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.register(on_calendar_changed)

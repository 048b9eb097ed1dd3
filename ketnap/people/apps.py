from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ketnap.people"
    label = "people"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.people.recompute import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="people.on_calendar_changed")

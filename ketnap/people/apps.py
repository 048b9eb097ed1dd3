from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ketnap.people"
    label = "people"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.orgs import actions as org_actions
        from ketnap.people import reorg
        from ketnap.people.recompute import on_calendar_changed

        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.register(on_calendar_changed)
        # Persons follow a merge of their unit; a unit holding persons is not dissolved.
        org_actions.unit_merged.register(reorg.on_unit_merged)
        org_actions.unit_contents.register(reorg.on_unit_contents)

from django.apps import AppConfig


class InterorgConfig(AppConfig):
    name = "ketnap.interorg"
    label = "interorg"

    def ready(self):
        from ketnap.core.calendar import calendar_changed
        from ketnap.interorg import queries, reorg
        from ketnap.interorg.deadlines import on_calendar_changed
        from ketnap.interorg.models import QUARTERLY_OBSERVER
        from ketnap.orgs import actions as org_actions
        from ketnap.people import queries as people_queries
        from ketnap.people import write

        # The graduates overdue for a transfer, for the weakness list of ketnap.targets.
        people_queries.graduates_overdue.register(queries.graduates_overdue)

        # A person's sent transfers follow their graduation date, role and name (the quarterly list).
        write.register(QUARTERLY_OBSERVER)
        # Recompute, in the calendar action's transaction, what this app computed with working days.
        calendar_changed.register(on_calendar_changed)
        # Open requests follow a merge of their organisations; a unit with open requests is not dissolved.
        org_actions.unit_merged.register(reorg.on_unit_merged)
        org_actions.unit_contents.register(reorg.on_unit_contents)

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "ketnap.targets"
    label = "targets"

    def ready(self):
        # The indicator rollup is kept current in the same transaction as every write of a person's ledger,
        # every change of the tree and every calendar edit (people, orgs and core never import targets).
        from ketnap.core.calendar import calendar_changed
        from ketnap.orgs import actions as org_actions
        from ketnap.people import write
        from ketnap.targets import reorg, rollups

        write.register(rollups.OBSERVER)
        org_actions.tree_changed.register(rollups.tree_changed)
        org_actions.unit_merged.register(reorg.on_unit_merged)
        calendar_changed.register(rollups.on_calendar_changed)

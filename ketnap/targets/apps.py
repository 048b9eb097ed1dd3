from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "ketnap.targets"
    label = "targets"

    def ready(self):
        # The indicator rollup is kept current in the same transaction as every write of a person's ledger
        # and every change of the tree (people and orgs never import targets).
        from ketnap.orgs import actions as org_actions
        from ketnap.people import write
        from ketnap.targets import rollups

        write.register(rollups.OBSERVER)
        org_actions.tree_changed.register(rollups.tree_changed)

"""Background tasks of the indicator rollup (django-tasks with its database backend; worker: `ketnap
db_worker`): the rebuild after a tree change on a large tree, and the daily projection snapshot."""

from django_tasks import task

from ketnap.targets import rollups


@task()
def rebuild_windows(keys: list[str]) -> list[str]:
    return rollups.rebuild_pending(keys)


@task()
def refresh_projections(keys: list[str]) -> list[str]:
    return rollups.refresh(keys)

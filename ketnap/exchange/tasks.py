"""Background tasks of an import (django-tasks with its database backend: no broker; run the worker with
`ketnap db_worker`). The task functions only call the same actions the request would."""

from django_tasks import task

from ketnap.exchange import actions


@task()
def check_import(job_id: int) -> str:
    return actions.check(job_id).status


@task()
def commit_import(job_id: int) -> str:
    return actions.commit(job_id).status

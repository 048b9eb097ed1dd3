"""The actor of the command line (`ketnap import` without --user): the server's operator, who may do
everything, recorded in the audit log and the ledger as no user (actor empty)."""


class SystemActor:
    pk = None
    id = None
    username = "ketnap"
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True

    def __str__(self):
        return "Quản trị hệ thống (dòng lệnh)"


SYSTEM = SystemActor()

"""`ketnap add-user USERNAME --unit CODE --role ROLE`: create a user (or reuse one) and grant a role.

The password is read from the environment variable named by --password-env (default KETNAP_NEW_PASSWORD),
or asked for on the terminal; it is never taken from the command line, where it would stay in the history.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ketnap.accounts import actions
from ketnap.accounts.roles import Role
from ketnap.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Tạo người dùng và giao vai trò tại một tổ chức đảng."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="mã tổ chức đảng (OrgUnit.code)")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-env", default="KETNAP_NEW_PASSWORD")

    def handle(self, *args, username, unit, role, full_name, email, password_env, **options):
        org = OrgUnit.objects.filter(code=unit).first()
        if org is None:
            raise CommandError(f"Không có tổ chức đảng mã {unit}.")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        try:
            if user is None:
                password = os.getenv(password_env) or ""
                if not password:
                    if not self.stdin_isatty():
                        raise CommandError(f"Đặt mật khẩu trong biến môi trường {password_env}.")
                    password = getpass.getpass("Mật khẩu: ")
                user = actions.create_user(
                    acting_user=None, username=username, password=password, full_name=full_name, email=email
                )
                self.stdout.write(f"Đã tạo người dùng {username}.")
            actions.grant_role(acting_user=None, user=user, unit=org, role=role)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{username}: {Role(role).label} tại {org.name}.")

    @staticmethod
    def stdin_isatty() -> bool:
        try:
            return os.isatty(0)
        except OSError:
            return False

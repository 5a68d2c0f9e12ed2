"""manage.py createeditor USERNAME: a staff account in the Editors group."""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from articles.roles import EDITORS_GROUP, EditorError, account_problems, create_editor, password_problems

PASSWORD_ENV = "NEWSROOM_EDITOR_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class Command(BaseCommand):
    help = (
        f"Create an editor: a staff account in the {EDITORS_GROUP} group, which may manage articles, "
        "authors, entities and tags in the admin but not accounts. The password is asked for twice, "
        f"or read from standard input (--password-stdin) or from the {PASSWORD_ENV} environment "
        "variable, for scripts. It must pass the password validators."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the new account's user name: letters, digits and @ . + - _ (no spaces)")
        parser.add_argument("--email", default="", help="the editor's e-mail address (checked as one)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of asking",
        )

    def handle(self, *args, username, email, password_stdin, **options):
        username = username.strip()
        if not username:
            raise CommandError("the user name cannot be empty")
        problems = account_problems(username, email)
        if problems:  # before asking for a password
            raise CommandError("; ".join(problems))
        password = self.read_password(password_stdin, username, email)
        try:
            user = create_editor(username, email=email, password=password)
        except EditorError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created editor {user.get_username()!r} (staff, in the {EDITORS_GROUP} group).")
        )

    def read_password(self, from_stdin, username, email):
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
            return password
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if not sys.stdin.isatty():
            raise CommandError(f"no terminal to ask for the password: use --password-stdin or set {PASSWORD_ENV}")
        while True:
            password = getpass.getpass("Password: ")
            if not password:
                self.stderr.write("The password cannot be empty.")
                continue
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("The passwords did not match; try again.")
                continue
            problems = password_problems(username, email, password)
            if problems:
                self.stderr.write("That password is refused: " + " ".join(problems) + " Try another.")
                continue
            return password

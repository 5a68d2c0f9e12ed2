"""Who may do what in the admin: the Editors group and the accounts in it.

The group itself is created by migration 0003_admin (with the permissions listed
here then; 0014_preview_permission adds articles.preview_article, 0016_jobs
viewing jobs, 0029_rejected_names the rejected names); `create_editor`
is what `manage.py createeditor` calls.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

EDITORS_GROUP = "Editors"
PREVIEW_PERMISSION = "articles.preview_article"  # see drafts and scheduled articles on the site

# Everything editors curate, and nothing about accounts, groups or the admin log.
EDITOR_PERMISSIONS = sorted(
    [
        f"articles.{action}_{model}"
        for model in ("article", "author", "entity", "tag", "mention", "rejectedname")
        for action in ("add", "change", "delete", "view")
    ]
    + [
        "articles.view_seedfile",  # where an ingested article came from
        "articles.view_slugredirect",  # old addresses left by merges and slug changes…
        "articles.delete_slugredirect",  # …and removing one that is no longer wanted
        PREVIEW_PERMISSION,
        "articles.view_job",  # background jobs: what they asked for, and how it went
    ]
)


def account_problems(username, email):
    """Why this user name or e-mail address is refused ([] when both are fine), by Django's own
    validators: a user name of letters, digits and @ . + - _ only ("bad name" is refused), an
    e-mail address that is one ("notanemail" is refused; none at all is fine)."""
    User = get_user_model()
    problems = []
    for validator, value, what in (
        (User.username_validator, username, "user name"),
        (validate_email, email, "e-mail address"),
    ):
        if value == "" and what == "e-mail address":
            continue
        try:
            validator(value)
        except ValidationError as exc:
            problems.append(f"{what} {value!r}: " + " ".join(exc.messages))
    max_length = User._meta.get_field(User.USERNAME_FIELD).max_length
    if len(username) > max_length:
        problems.append(f"user name: at most {max_length} characters")
    return problems


def password_problems(username, email, password):
    """Why the password validators refuse `password` for this account ([] when they accept it)."""
    User = get_user_model()
    try:
        validate_password(password, user=User(**{User.USERNAME_FIELD: username}, email=email))
    except ValidationError as exc:
        return list(exc.messages)
    return []


class EditorError(Exception):
    """The account cannot be created as asked (the message says why)."""


def create_editor(username, *, email="", password):
    """Create a staff account in the Editors group; returns the user.

    The user name and e-mail address must pass Django's validators and the password the
    project's password validators. Raises EditorError when one is refused or the user
    name is taken.
    """
    User = get_user_model()
    problems = account_problems(username, email)
    if problems:
        raise EditorError("; ".join(problems))
    if User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise EditorError(f"a user named {username!r} already exists")
    problems = password_problems(username, email, password)
    if problems:
        raise EditorError("password refused: " + " ".join(problems))
    try:
        group = Group.objects.get(name=EDITORS_GROUP)
    except Group.DoesNotExist as exc:
        raise EditorError(f"the {EDITORS_GROUP} group is missing: run `manage.py migrate` first") from exc
    with transaction.atomic():
        user = User._default_manager.create_user(username, email=email, password=password, is_staff=True)
        user.groups.add(group)
    return user

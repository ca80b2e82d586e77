"""The admin's models grouped by the task a curator comes for, instead of by Django app.

Link tables (variant names, authorships, illustrations, event roles) are not listed: each is
edited from its record's form and stays reachable at its own address. Security logs are
shown to superusers only (archive/admin/security.py); a model no group names is listed last,
under "Other", so a newly registered admin never disappears silently.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GROUPS", "HIDDEN", "group_by_task"]


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    models: tuple[str, ...]  # "app_label.model_name", in the order shown


GROUPS = (
    Group("content", "Content", ("archive.publication", "archive.issue", "archive.article")),
    Group(
        "entities",
        "People, organisations, places, events",
        ("archive.person", "archive.organisation", "archive.place", "archive.event"),
    ),
    Group(
        "review",
        "Import and review",
        (
            "archive.sourcedocument",
            "archive.textrepair",
            "archive.mention",
            "archive.correction",
            "archive.backgroundjob",
        ),
    ),
    Group(
        "site",
        "Site and security",
        (
            "auth.user",
            "auth.group",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
            "django_tasks_database.dbtaskresult",
        ),
    ),
)

#: Link tables: reached from the records they link (inlines), not listed on their own.
HIDDEN = frozenset(
    {"archive.alias", "archive.authorship", "archive.illustration", "archive.eventparticipant"}
)


def group_by_task(app_list: list[dict], *, index_url: str) -> list[dict]:
    """Regroup Django's ``app_list`` (one entry per app) into :data:`GROUPS`.

    Each group is shaped like an app entry, so the admin's own templates (front page, side
    bar) draw it unchanged; its heading links to its section of the front page.
    """
    by_key = {
        f"{app['app_label']}.{model['object_name'].lower()}": model
        for app in app_list
        for model in app["models"]
    }
    placed = set(HIDDEN)
    groups = []
    for group in GROUPS:
        models = [by_key[key] for key in group.models if key in by_key]
        placed.update(group.models)
        if models:
            groups.append(_entry(group.slug, group.name, models, index_url))
    rest = [model for key, model in by_key.items() if key not in placed]
    if rest:
        groups.append(_entry("other", "Other", rest, index_url))
    return groups


def _entry(slug: str, name: str, models: list[dict], index_url: str) -> dict:
    return {
        "name": name,
        "app_label": f"group-{slug}",
        "app_url": f"{index_url}#group-{slug}",
        "has_module_perms": True,
        "models": models,
    }

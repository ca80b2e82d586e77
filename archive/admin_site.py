"""The curators' admin site: titled for the archive, a review dashboard as its front page,
and its models grouped by the task a curator comes for.

This module is Django's documented way of replacing the default admin site
(``AdminConfig.default_site``): ``config/settings`` installs :class:`ArchiveAdminConfig`
instead of ``django.contrib.admin``, so every ``@admin.register`` (ours, auth's, axes')
lands on one :class:`ArchiveAdminSite`. It lives outside the ``archive.admin`` package on
purpose: importing that package registers the ModelAdmins, which needs the site to exist
already, and the AppConfig is imported before any model is ready. So nothing here imports
models at module level; the dashboard and the grouping are imported when a page is drawn.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

#: Apps whose records are security logs (login attempts, lock-outs, addresses): superusers
#: only, whatever permissions a curator's group is given.
SECURITY_APPS = frozenset({"axes"})


class SuperuserOnlyMixin:
    """Narrows every permission of a ModelAdmin to active superusers; nothing is added."""

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._superuser(request) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return False


class ArchiveAdminSite(admin.AdminSite):
    site_header = "Archive of political publications · curators"
    site_title = "Archive curators"
    index_title = "What needs a curator now"
    index_template = "admin/archive/dashboard.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """As Django's, but the admins of security logs are for superusers only (whichever
        app registers them, in whatever order apps load)."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if model._meta.app_label in SECURITY_APPS and not issubclass(cls, SuperuserOnlyMixin):
                cls = type(f"SuperuserOnly{cls.__name__}", (SuperuserOnlyMixin, cls), {})
            super().register(model, cls, **options)

    def index(self, request, extra_context=None):
        """The front page: the review dashboard above the grouped list of records."""
        from archive.admin.dashboard import dashboard

        extra_context = {**(extra_context or {}), "dashboard": dashboard(request, self)}
        return super().index(request, extra_context)

    def get_app_list(self, request, app_label=None):
        """The front page and the side bar list models by task, link tables left out (each
        is reached from its records' forms); an app's own page (``/admin/archive/``) still
        lists every model Django registered for it."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        from archive.admin.grouping import group_by_task

        return group_by_task(app_list, index_url=self._index_url())

    def _index_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:index", current_app=self.name)


class ArchiveAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`ArchiveAdminSite` as its default site."""

    default_site = "archive.admin_site.ArchiveAdminSite"

"""The admin site: Django's, named after the site (settings.SITE_NAME), without the navigation
sidebar, and with the desk as its front page (articles/admin/desk.py).

The sidebar takes a fifth of a 1280-pixel screen from the article list; the breadcrumbs
and the front page lead everywhere it did.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminSite(admin.AdminSite):
    enable_nav_sidebar = False

    def __init__(self, name="admin"):
        super().__init__(name)
        self.site_header = self.site_title = self.index_title = settings.SITE_NAME

    def index(self, request, extra_context=None):
        from articles.admin.desk import desk_context  # the app's admin imports this module's site

        return super().index(request, {**desk_context(request.user), **(extra_context or {})})


class NewsroomAdminConfig(AdminConfig):
    """django.contrib.admin with NewsroomAdminSite as `admin.site`."""

    default_site = "newsroom.admin_site.NewsroomAdminSite"


def site_names(request):
    """The admin's names for admin pages that no admin view renders (django-axes' lockout page):
    the admin's own context, where there is one, takes precedence."""
    return {"site_header": settings.SITE_NAME, "site_title": settings.SITE_NAME}

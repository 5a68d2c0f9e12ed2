from django.contrib import admin
from django.urls import include, path

from articles import sitemaps
from articles.api import urls as api_urls
from articles.api.docs import api_docs
from articles.views import healthz, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.section, name="sitemap_section"),
    path("api/v1/", api_urls()),
    path("api/docs/", api_docs, name="api_docs"),
    path("", include("articles.urls")),
]

handler403 = "newsroom.errors.permission_denied"
handler500 = "newsroom.errors.server_error"

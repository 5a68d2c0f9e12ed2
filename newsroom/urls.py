from django.contrib import admin
from django.urls import include, path

from articles.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("articles.urls")),
]

handler500 = "newsroom.errors.server_error"

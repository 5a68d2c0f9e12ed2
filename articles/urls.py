from django.urls import path

from . import views
from .search import SearchView

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("entities/<slug:slug>/", views.EntityDetailView.as_view(), name="entity_detail"),
    path("search/", SearchView.as_view(), name="search"),
]

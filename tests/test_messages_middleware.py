"""newsroom.middleware.MessageMiddleware: Django's, with the storage made only when something uses it."""

from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from newsroom.middleware import MessageMiddleware


def respond(middleware_class, view, cookies=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    response = SessionMiddleware(middleware_class(view))(request)
    return request, response


def adds_a_message(request):
    messages.success(request, "Saved.")
    return HttpResponse("page")


def shows_the_messages(request):
    return HttpResponse(" | ".join(str(message) for message in messages.get_messages(request)))


def test_a_request_that_uses_no_message_makes_no_storage():
    request, response = respond(MessageMiddleware, lambda request: HttpResponse("page"))
    assert request._messages._wrapped is empty
    assert not response.cookies


def test_a_message_reaches_the_next_page_as_with_djangos_middleware():
    for middleware_class in (MessageMiddleware, DjangoMessageMiddleware):
        _, added = respond(middleware_class, adds_a_message)
        cookie = added.cookies["messages"]
        assert cookie.value
        _, shown = respond(middleware_class, shows_the_messages, {"messages": cookie.value})
        assert shown.content == b"Saved."
        assert shown.cookies["messages"].value == ""  # read: the cookie is removed
        _, untouched = respond(middleware_class, lambda request: HttpResponse("page"), {"messages": cookie.value})
        assert not untouched.cookies  # not read: left for a page that shows it

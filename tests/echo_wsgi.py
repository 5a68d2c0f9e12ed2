"""A WSGI app that answers with what the server put in its environ (tests/test_pagecache.py
serves it with the site's gunicorn.conf.py to see which request headers reach the environ)."""

import json


def application(environ, start_response):
    body = json.dumps({key: environ.get(key, "") for key in ("SCRIPT_NAME", "PATH_INFO", "HTTP_X_FORWARDED_FOR")})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]

"""/api/docs/: the API's reference, rendered on the server from its OpenAPI schema.

No JavaScript and nothing from another site, so it is served under the site's
Content-Security-Policy like any page: each route with its parameters and
answers, then each schema with its fields.
"""

import re

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ..pagecache import EVERYTHING, depends_on
from . import NAMESPACE, api


def prose(text):
    """Escaped text with its `code` spans as <code> (the only markup the docstrings use)."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text or "")))  # noqa: S308 - escaped first


def _type(schema):
    """A short readable type for a JSON schema fragment: "string", "list of TagRef", "date-time or null"."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(part) for part in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(f"“{value}”" for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {_type(schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def operations(schema):
    """[(method, path, summary, description, [parameter rows], [(status, type)])] in the schema's order."""
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method != "get":
                continue  # HEAD answers like GET, without a body
            parameters = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "type": _type(p.get("schema", {})),
                    "description": prose(p.get("description") or p.get("schema", {}).get("description", "")),
                }
                for p in operation.get("parameters", [])
            ]
            answers = [
                (status, _type(body.get("content", {}).get("application/json", {}).get("schema", {})))
                for status, body in operation.get("responses", {}).items()
            ]
            found.append(
                (
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    prose(operation.get("description", "")),
                    parameters,
                    answers,
                )
            )
    return found


def components(schema):
    """[(name, description, [(field, type, required, description)])] for every schema the answers use."""
    found = []
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        required = set(component.get("required", ()))
        fields = [
            (field, _type(spec), field in required, prose(spec.get("description", "")))
            for field, spec in component.get("properties", {}).items()
        ]
        found.append((name, component.get("description", ""), fields))
    return found


@require_safe
def api_docs(request):
    depends_on(EVERYTHING)  # generated from the code: it changes only with a deployment
    schema = api.get_openapi_schema()
    base = f"{request.scheme}://{request.get_host()}"
    context = {
        "page_title": "API reference — Newsroom",
        "page_description": "The read-only JSON API of the archive: routes, parameters, answers and limits.",
        "canonical_url": request.build_absolute_uri(request.path),
        "api": schema["info"],
        "operations": operations(schema),
        "components": components(schema),
        "base": base,
        "schema_url": base + reverse(f"{NAMESPACE}:openapi-json"),
        "rate_limit": settings.API_RATE_LIMIT,
        "rate_window": settings.API_RATE_WINDOW,
    }
    return render(request, "api/docs.html", context)

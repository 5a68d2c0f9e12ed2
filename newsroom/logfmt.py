"""One line per log event, as `key=value` pairs an operator can grep (the logfmt style).

    time=2026-11-28T03:48:31.123Z level=warning logger=django.request method=GET path=/nope status=404
        message="Not Found: /nope"   (one line; wrapped here)

Values with spaces, quotes, `=` or control characters are quoted, with backslash
escapes, so a hostile path or header (a newline in `%0A`, a 4 kB Host) never starts
a second line or forges a field. Django's request loggers pass the request and the
status: those become `method`, `path` and `status`. An exception becomes
`error="Type: message"`; for server errors (status 500 and up, or none) its traceback
follows as `traceback="…"`, on the same line with its newlines escaped.
"""

import datetime
import logging
import re
import traceback

_PLAIN = re.compile(r"[-A-Za-z0-9_.:/@+,%()\[\]]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_VALUE = 8192  # characters of one value; longer ones are cut and marked


def quote(value):
    """A value as logfmt writes it: bare when it is plain, else in double quotes, escaped."""
    text = str(value)
    if len(text) > MAX_VALUE:
        text = f"{text[:MAX_VALUE]}…[{len(text) - MAX_VALUE} more characters]"
    if text and _PLAIN.fullmatch(text):
        return text
    text = "".join(_ESCAPES.get(ch, ch) for ch in text)
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return f'"{text}"'


class LogfmtFormatter(logging.Formatter):
    def format(self, record):
        stamp = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        fields = [
            ("time", stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"),
            ("level", record.levelname.lower()),
            ("logger", record.name),
        ]
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            fields += [("method", request.method), ("path", request.path)]
        status = getattr(record, "status_code", None)
        if status is not None:
            fields.append(("status", status))
        fields.append(("message", record.getMessage()))
        if record.exc_info and record.exc_info[1] is not None:
            exc_type, exc, tb = record.exc_info
            fields.append(("error", f"{exc_type.__name__}: {exc}"))
            if status is None or status >= 500:
                fields.append(("traceback", "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()))
        elif record.exc_text:
            fields.append(("traceback", record.exc_text))
        return " ".join(f"{key}={quote(value)}" for key, value in fields)

"""Invisible characters out of names and text, where text enters the archive.

Zero-width spaces and joiners, soft hyphens, word joiners, byte-order marks in mid-line
and the bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
isolates, the left-to-right and right-to-left marks) show nothing, or reorder what a
reader sees ("evil" typed after U+202E reads "live"), yet make two spellings of one
name different: "Dana<U+200B> Levi" and "Dana Levi" were two authors. Plain Python,
no Django import; ingest (articles/ingest.py), the admin's forms and `manage.py
clean_text` (rows stored before) call it.

- `clean_line()` is for one-line names: headlines, deks, author names, tags, entity
  names and aliases. Every invisible format character goes, and other control
  characters; Unicode's composed form (NFC) makes "e" + combining acute and "é" one
  spelling; runs of whitespace of any kind become one space, none at the ends.
- `clean_prose()` is for body paragraphs and bios: the same characters go, but line
  breaks and spacing stay as they are.

Zero-width joiner and non-joiner are kept where scripts need them: between two
letters, marks or symbols that are not ASCII (Persian and Indic words, emoji
sequences such as 👩‍💻). Between ASCII characters, at either end or beside a space,
they are noise and go.
"""

import re
import unicodedata
from dataclasses import replace

ZWNJ, ZWJ = "\u200c", "\u200d"
_JOINERS = {ZWNJ, ZWJ}
# Format characters that are not invisible noise: the Arabic number sign and its kin
# (U+0600–U+0605, U+06DD, U+070F, U+08E2, U+110BD, U+110CD) begin numbers in Arabic,
# Syriac and Kaithi text.
_KEPT_FORMAT = {chr(c) for c in (*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x08E2, 0x110BD, 0x110CD)}
_KEPT_CONTROLS = {"\n", "\t"}


def _joined(text, index):
    """Whether the joiner at `index` sits between two non-ASCII letters, marks or symbols."""
    if index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return all(not c.isascii() and unicodedata.category(c)[0] in "LMS" for c in (before, after))


def _invisible(char):
    category = unicodedata.category(char)
    if category == "Cf":
        return char not in _KEPT_FORMAT
    return category == "Cc" and char not in _KEPT_CONTROLS


def _strip_invisible(text):
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to look at
    kept = []
    for index, char in enumerate(text):
        if char in _JOINERS:
            if _joined(text, index):
                kept.append(char)
        elif not _invisible(char):
            kept.append(char)
    return "".join(kept)


def clean_line(text):
    """`text` as one clean line: no invisible or control characters, NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", _strip_invisible(text)).split())


def clean_prose(text):
    """`text` without invisible or control characters (but \\n and \\t); spacing and lines kept."""
    return _strip_invisible(text)


def clean_document(document):
    """A parsed seed document (articles.seed.SeedDocument) with every field cleaned.

    Returns (document, names of the fields that changed). Tags that clean to the same
    name, case aside, are one tag; a tag that cleans to nothing is dropped.
    """
    lines = {name: clean_line(getattr(document, name)) for name in ("headline", "dek", "author")}
    prose = {name: clean_paragraphs(getattr(document, name)) for name in ("body", "bio")}
    tags, seen = [], set()
    for tag in map(clean_line, document.tags):
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    cleaned = replace(document, **lines, **prose, tags=tuple(tags))
    changed = [
        name
        for name in ("headline", "dek", "body", "author", "bio", "tags")
        if getattr(cleaned, name) != getattr(document, name)
    ]
    return cleaned, changed


def clean_paragraphs(text):
    """A body or bio: paragraphs separated by a blank line, each cleaned; those left empty go."""
    return "\n\n".join(p for p in (clean_prose(p).strip() for p in text.split("\n\n")) if p)


# An HTML tag as typed: "<b>", "</i>", "<a href=…>", "<script>"; HTML's element names
# only, so "a < b > c" or "x<y and y>z" in a headline are not markup.
_ELEMENTS = (
    "a|abbr|b|big|blockquote|body|br|button|center|code|del|div|em|embed|font|form|h[1-6]|head|hr|html|i|"
    "iframe|img|input|ins|kbd|li|link|mark|meta|object|ol|p|pre|q|s|samp|script|small|span|strike|strong|"
    "style|sub|sup|svg|table|tbody|td|th|thead|title|tr|tt|u|ul"
)
MARKUP_RE = re.compile(rf"</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)


def markup_in(text):
    """The first HTML tag typed in `text` ("<b>"), or "" when there is none."""
    found = MARKUP_RE.search(text)
    return found.group(0) if found else ""


def without_markup(text):
    """`text` with HTML tags typed into it left out (their words stay), for making slugs."""
    return MARKUP_RE.sub(" ", text)

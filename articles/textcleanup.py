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

"Invisible" is Unicode's default-ignorable code points plus control characters (but
newline and tab in prose). Those that scripts need stay where they do their work: the
zero-width joiner and non-joiner between two letters, marks or symbols that are not
ASCII (Persian and Indic words, emoji sequences such as 👩‍💻), a variation selector
after such a character ("❤️") or before a combining mark (the keycap "1️⃣"), Hangul
fillers inside Hangul. Between ASCII characters, at either end or beside a space, they
are noise and go (a Hangul filler, which shows as a blank, becomes a space).
"""

import functools
import re
import unicodedata
from dataclasses import replace

ZWNJ, ZWJ = "\u200c", "\u200d"
# Format characters that are not invisible noise: the Arabic number sign and its kin
# (U+0600–U+0605, U+06DD, U+070F, U+08E2, U+110BD, U+110CD) begin numbers in Arabic,
# Syriac and Kaithi text.
_KEPT_FORMAT = {chr(c) for c in (*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x08E2, 0x110BD, 0x110CD)}
_KEPT_CONTROLS = {"\n", "\t"}
# Unicode's other default-ignorable code points (not format characters): the combining
# grapheme joiner, variation selectors, Mongolian and Khmer invisible marks, the Hangul
# fillers (which show as a blank), and unassigned ranges reserved as ignorable.
_SELECTORS = {
    chr(c) for c in (0x034F, 0x180B, 0x180C, 0x180D, 0x180F, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
}
_BETWEEN_LETTERS = {ZWNJ, ZWJ, "\u17b4", "\u17b5"}  # joiners and Khmer's inherent vowels
_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
_RESERVED = {chr(c) for c in (0x2065, *range(0xFFF0, 0xFFF9), *range(0xE0000, 0xE1000))}


@functools.cache
def invisible_ranges():
    """(first, last) code points of every character that may go, in order."""
    chars = set(_SELECTORS | _BETWEEN_LETTERS | _FILLERS | _RESERVED)
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if (category == "Cf" and char not in _KEPT_FORMAT) or (category == "Cc" and char not in _KEPT_CONTROLS):
            chars.add(char)
    codes = sorted(map(ord, chars))
    ranges, start = [], codes[0]
    for previous, code in zip(codes, [*codes[1:], None], strict=True):
        if code != previous + 1:
            ranges.append((start, previous))
            start = code
    return ranges


@functools.cache
def _candidates():
    """A regular expression for every character that may go, found at C speed, so text without
    any (nearly all of it) costs one scan. As ranges: a class of single characters outside the
    Basic Multilingual Plane would be tried one by one."""
    parts = (re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in invisible_ranges())
    return re.compile("[" + "".join(parts) + "]")


def _script_char(char):
    """A letter, mark or symbol of a script other than ASCII's."""
    return bool(char) and not char.isascii() and unicodedata.category(char)[0] in "LMS"


def _replacement(match):
    char, text, index = match.group(), match.string, match.start()
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char in _SELECTORS:  # chooses the form of the character before it ("❤️", a keycap "1️⃣")
        return char if _script_char(before) or unicodedata.category(after or " ")[0] == "M" else ""
    if char in _BETWEEN_LETTERS or char in _FILLERS:  # Persian, Indic, Khmer, Hangul, emoji sequences
        if _script_char(before) and _script_char(after):
            return char
        return " " if char in _FILLERS else ""  # a filler out of Hangul shows as a blank
    return ""


def _strip_invisible(text):
    if not _candidates().search(text):
        return text  # the common case: one scan, nothing to do
    return _candidates().sub(_replacement, text)


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

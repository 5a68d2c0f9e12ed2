r"""Parse seed documents: the plain-text files news articles are imported from.

Plain Python, no Django import, so it can be unit-tested and fuzzed alone.

The seed format::

    Headline (one block; hard-wrapped lines are joined)

    One-line dek

    Body paragraph, possibly
    hard-wrapped.

    Another body paragraph.

    Author: Jane Doe
    Published: 2023-05-01          (optional, directly under the byline; a full
                                    ISO 8601 time with offset also works:
                                    2023-05-01T09:30:00+00:00)
    Tags: Russia, Belarus          (optional, directly under the byline)

    Author bio, possibly several paragraphs, possibly glued to the byline
    without a blank line, possibly absent.

Reading rules:

* Blocks are separated by blank lines (empty or whitespace-only; a run of
  them is one separator). Each line is stripped and the lines of a block are
  joined with one space. Nothing else is touched: internal spacing, curly
  quotes, diacritics, RTL text, zero-width characters and emoji survive
  exactly (no Unicode normalisation), and the content hash is of that text.
  (Ingest then cleans the fields it stores: articles/textcleanup.py.) "Whitespace" is Python's: what
  ``str.strip()`` and ``str.split()`` remove.
* Only ``\n``, ``\r\n`` and ``\r`` end lines; U+2028 and U+0085 do not.
* The byline is the one line that, stripped, starts with ``Author:`` (any
  case). It stands alone even inside a block. Before it: block 1 is the
  headline, block 2 the dek, the rest are body paragraphs. Lines directly
  under it that start with ``Published:`` or ``Tags:`` (any case, any order,
  once each) are metadata; everything after them is the bio.

Decoding (``decode_seed``): UTF-8 with or without BOM, UTF-16 with BOM. A file
that is not UTF-8 and holds no valid UTF-8 multi-byte sequence is a legacy
file and is read as Windows-1252 (which Latin-1 text decodes the same) with a
warning; one that does hold such a sequence is damaged UTF-8 and is rejected.
A legacy file holding byte 0xA4 (€ in ISO-8859-15, ¤ in Windows-1252) is
ambiguous and rejected. Known binary formats and files with
many control bytes are rejected; a few stray NUL bytes (which PostgreSQL
cannot store) and other control characters (which XML 1.0, hence Django's
feeds, refuses) are removed with a warning.

``render_seed`` writes the canonical form of a document; its SHA-256 is the
document's content hash. Every failure is a ``SeedError`` with a one-line
reason.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "MAX_AUTHOR",
    "MAX_BYTES",
    "MAX_HEADLINE",
    "MAX_TAG",
    "MAX_TAGS",
    "ParsedSeed",
    "SeedDocument",
    "SeedError",
    "decode_seed",
    "parse_seed",
    "parse_text",
    "render_seed",
]

MAX_BYTES = 1024 * 1024  # default size limit
MAX_HEADLINE = 300
MAX_AUTHOR = 200  # name length limit
MAX_TAG = 100
MAX_TAGS = 25  # tags per article: a Tags: line of thousands would flood the topic pages


class SeedError(ValueError):
    """The document cannot be ingested.

    ``str(err)`` is a one-line, specific, human reason, without the file name
    (the caller prefixes the path).
    """


@dataclass(frozen=True)
class SeedDocument:
    headline: str
    dek: str
    body: str  # paragraphs joined by "\n\n"; each paragraph a single line
    author: str
    bio: str = ""  # paragraphs joined by "\n\n"; "" when absent
    published: datetime.date | None = None  # a datetime (aware) when the file gave a time
    tags: tuple[str, ...] = ()  # file order, de-duplicated case-insensitively

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n") if self.body else []


@dataclass(frozen=True)
class ParsedSeed:
    document: SeedDocument
    warnings: tuple[str, ...]  # one-line human warnings
    encoding: str  # "utf-8", "utf-8-sig", "utf-16" or "cp1252"

    @cached_property
    def text(self) -> str:
        """The normalised text: ``render_seed(self.document)``."""
        return render_seed(self.document)

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the normalised text, UTF-8 encoded."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# --- Decoding ----------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")

# Signatures that a text file cannot plausibly start with.
_MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"PK\x07\x08", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"RIFF", "RIFF container"),  # refined below: WebP, WAV, AVI
    (b"\x7fELF", "ELF executable"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (old Word/Excel)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"OggS\x00", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"\x00asm", "WebAssembly module"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O binary"),
    (b"\xcf\xfa\xed\xfe", "Mach-O binary"),
    (b"\xce\xfa\xed\xfe", "Mach-O binary"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC_NUMBERS)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}
# Signatures with a variable part, or not at offset 0.
_MAGIC_PATTERNS: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"BZh[1-9]1AY&SY"), "bzip2 archive"),
    (re.compile(rb"ID3[\x02-\x04]\x00"), "MP3 audio"),
    (re.compile(rb"....ftyp", re.DOTALL), "MP4/QuickTime media"),
    (re.compile(rb".{257}ustar", re.DOTALL), "tar archive"),
)

# C0 controls other than tab, line feed and carriage return.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# Controls that separate words become a space, the rest are dropped.
_CONTROL_TABLE = {code: " " if code in (0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F) else None for code in _CONTROL_BYTES}


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: map like Latin-1
        return chr(byte)


_CP1252_TABLE = "".join(_cp1252_char(byte) for byte in range(256))


def _binary_kind(data: bytes) -> str | None:
    """Name the binary format `data` starts with, or None."""
    if data.startswith(_MAGIC_PREFIXES):
        for magic, kind in _MAGIC_NUMBERS:
            if data.startswith(magic):
                if magic == b"RIFF":
                    return _RIFF_KINDS.get(data[8:12], kind)
                return kind
    for pattern, kind in _MAGIC_PATTERNS:
        if pattern.match(data):
            return kind
    return None


def _is_binary(controls: int, size: int) -> bool:
    """True when control characters are too many to be strays.

    Strays are at most 8 or 1% of the file, whichever is more, and never more
    than a quarter of it (a tiny file of NULs is not text either).
    """
    return controls > max(8, size // 100) or controls * 4 > size


def _looks_like_bomless_utf16(data: bytes) -> bool:
    half = len(data) // 2
    return half > 0 and max(data[0::2].count(0), data[1::2].count(0)) >= 0.9 * half


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _count_control_chars(text: str) -> int:
    # In UTF-8 a control character is its own single byte, and bytes.translate
    # counts those far faster than a regex or str.count per character would.
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _remove_controls(text: str) -> tuple[str, list[str]]:
    """Drop NULs and other control characters, saying how many went."""
    warnings: list[str] = []
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        warnings.append(f"stripped {_plural(nuls, 'NUL byte')} (PostgreSQL cannot store NUL)")
    others = _count_control_chars(text)
    if others:
        text = text.translate(_CONTROL_TABLE)
        warnings.append(
            f"removed {_plural(others, 'control character')} "
            "(U+0001-U+001F other than tab and line breaks; not valid in XML)"
        )
    return text, warnings


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_utf16(data: bytes) -> tuple[str, int]:
    """Decode UTF-16 that starts with a byte-order mark; count its controls."""
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as error:
        raise SeedError(f"damaged UTF-16 at byte offset {error.start}: {error.reason}") from None
    # Checked after decoding: half the bytes of UTF-16 text are NUL.
    controls = _count_control_chars(text)
    if _is_binary(controls, len(text)):
        raise SeedError(f"binary data: {controls:,} of {len(text):,} UTF-16 characters are NUL or control characters")
    return text, controls


def _count_control_bytes(data: bytes) -> int:
    """Count the control bytes in 8-bit data; reject it if they are too many."""
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if _is_binary(controls, len(data)):
        hint = ""
        if _looks_like_bomless_utf16(data):
            hint = " (looks like UTF-16 without a byte-order mark; re-save it as UTF-8)"
        raise SeedError(f"binary data: {controls:,} of {len(data):,} bytes are NUL or control bytes{hint}")
    return controls


def _decode_8bit(data: bytes) -> tuple[str, str, list[str]]:
    """Decode UTF-8 (with or without BOM), or legacy Windows-1252.

    Returns ``(text, encoding, warnings)``.
    """
    has_bom = data.startswith(_UTF8_BOM)
    start = len(_UTF8_BOM) if has_bom else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        bad = f"0x{data[offset]:02X}"
        # A single well-formed multi-byte sequence means the file was meant as
        # UTF-8, and reading it as Windows-1252 would garble that character.
        # surrogateescape decodes each bad byte to one character and each
        # well-formed sequence (2-4 bytes) to one, so the text comes out
        # shorter than the bytes exactly when there is such a sequence.
        if has_bom or len(data.decode("utf-8", "surrogateescape")) < len(data):
            raise SeedError(f"damaged UTF-8 at byte offset {offset}: {error.reason} ({bad})") from None
        euro = data.find(b"\xa4")
        if euro != -1:
            # The one byte where the legacy encodings a newsroom meets disagree on something
            # common: the euro sign in ISO-8859-15, a bare currency sign in Windows-1252/Latin-1.
            raise SeedError(
                f"legacy 8-bit text with byte 0xA4 at byte offset {euro}, which is € in ISO-8859-15 but ¤ in "
                "Windows-1252, so the encoding is ambiguous; re-save the file as UTF-8"
            ) from None
        text = codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]
        warning = (
            f"not UTF-8 (byte {bad} at byte offset {offset}) and no UTF-8 "
            "multi-byte sequence found; decoded as Windows-1252"
        )
        return text, "cp1252", [warning]
    return text, "utf-8-sig" if has_bom else "utf-8", []


def decode_seed(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, list[str], str]:
    r"""Decode seed bytes into text with ``\n`` line endings.

    Returns ``(text, warnings, encoding)``; the text has no BOM, no ``\r``,
    no NUL and no other C0 control character but tab and newline.
    Raises SeedError for empty, oversized, binary or damaged input.
    """
    size = len(data)
    if not size:
        raise SeedError("file is empty (0 bytes)")
    if size > max_bytes:
        raise SeedError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-bytes)")
    kind = _binary_kind(data)
    if kind:
        raise SeedError(f"binary file ({kind}), not a text seed")
    if data.startswith(_UTF32_BOMS):
        raise SeedError("UTF-32 text is not supported; re-save the file as UTF-8")

    if data.startswith(_UTF16_BOMS):
        text, controls = _decode_utf16(data)
        encoding, warnings = "utf-16", []
    else:
        controls = _count_control_bytes(data)
        text, encoding, warnings = _decode_8bit(data)
    if controls:
        text, removed = _remove_controls(text)
        warnings.extend(removed)
    return _normalise_newlines(text), warnings, encoding


# --- Structure ---------------------------------------------------------------

_BYLINE = re.compile(r"author:", re.IGNORECASE | re.ASCII)
_METADATA = re.compile(r"(published|tags):", re.IGNORECASE | re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII)


def _blocks(lines: list[str]) -> list[str]:
    """Group stripped lines into blocks, each joined into one line."""
    blocks: list[str] = []
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            blocks.append(" ".join(block))
            block = []
    if block:
        blocks.append(" ".join(block))
    return blocks


def _preview(value: str, limit: int = 40) -> str:
    """Quote user text for a one-line message (repr escapes line breaks)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _parse_date(value: str, line: int) -> datetime.date:
    """A date (YYYY-MM-DD) or, for exact round trips, an ISO 8601 time with its UTC offset."""
    if _ISO_DATETIME.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError as error:
            raise SeedError(f"Published: on line {line} is not a real time, found {value!r} ({error})") from None
    match = _ISO_DATE.fullmatch(value)
    if not match:
        raise SeedError(
            f"Published: on line {line} must be a date in YYYY-MM-DD form (or an ISO 8601 time with offset), "
            f"found {_preview(value)}"
        )
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError as error:
        raise SeedError(f"Published: on line {line} is not a real date, found {value!r} ({error})") from None


def _parse_tags(value: str, line: int) -> tuple[str, ...]:
    tags: list[str] = []
    seen: set[str] = set()
    for item in value.split(","):
        tag = " ".join(item.split())
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise SeedError(f"tag on line {line} is {len(tag)} characters long (limit {MAX_TAG}): {_preview(tag)}")
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise SeedError(f"Tags: on line {line} names {len(tags):,} tags (limit {MAX_TAGS})")
    return tuple(tags)


def _find_byline(lines: list[str]) -> int:
    """Index of the one Author: line among stripped `lines`."""
    bylines = [index for index, line in enumerate(lines) if _BYLINE.match(line)]
    if not bylines:
        raise SeedError("no Author: line (expected a line like 'Author: Jane Doe' after the body)")
    if len(bylines) > 1:
        numbers = ", ".join(str(index + 1) for index in bylines[:5])
        more = ", …" if len(bylines) > 5 else ""
        raise SeedError(f"{len(bylines)} Author: lines (lines {numbers}{more}); a seed has exactly one")
    return bylines[0]


def _parse_metadata(lines: list[str], start: int) -> tuple[datetime.date | None, tuple[str, ...], int]:
    """Read the metadata lines from `start`; return them and where the bio starts."""
    published: datetime.date | None = None
    tags: tuple[str, ...] = ()
    seen: dict[str, int] = {}
    index = start
    while index < len(lines) and (match := _METADATA.match(lines[index])):
        key = match.group(1).lower()
        line = index + 1
        if key in seen:
            label = "Published" if key == "published" else "Tags"
            raise SeedError(f"two {label}: lines (lines {seen[key]} and {line}); a seed has at most one")
        seen[key] = line
        value = lines[index][match.end() :].strip()
        if key == "published":
            published = _parse_date(value, line)
        else:
            tags = _parse_tags(value, line)
        index += 1
    return published, tags, index


def parse_text(text: str) -> SeedDocument:
    """Read the structure of decoded seed text. Raises SeedError.

    Line endings are normalised and control characters dropped here too
    (silently), so any text gives the document ``parse_seed`` would give.
    """
    text = _normalise_newlines(text)
    if _count_control_chars(text):
        text = _remove_controls(text)[0]
    return _parse_clean(text)


def _parse_clean(text: str) -> SeedDocument:
    r"""parse_text for text as decode_seed returns it: ``\n`` only, no controls."""
    if not text.strip():
        raise SeedError("file contains only whitespace" if text else "file contains no text")

    lines = [line.strip() for line in text.split("\n")]
    at = _find_byline(lines)
    byline = f"the Author: line (line {at + 1})"

    blocks = _blocks(lines[:at])
    if not blocks:
        raise SeedError(f"no headline: the file starts with {byline}")
    headline = blocks[0]
    if len(headline) > MAX_HEADLINE:
        raise SeedError(f"headline is {len(headline)} characters long (limit {MAX_HEADLINE})")
    if len(blocks) == 1:
        raise SeedError(f"no dek: nothing between the headline and {byline}")
    if len(blocks) == 2:
        raise SeedError(f"no body: no paragraph between the dek and {byline}")

    author = " ".join(lines[at][len("author:") :].split())
    if not author:
        raise SeedError(f"{byline} has no name")
    if len(author) > MAX_AUTHOR:
        raise SeedError(f"author name is {len(author)} characters long (limit {MAX_AUTHOR})")

    published, tags, bio_start = _parse_metadata(lines, at + 1)
    return SeedDocument(
        headline=headline,
        dek=blocks[1],
        body="\n\n".join(blocks[2:]),
        author=author,
        bio="\n\n".join(_blocks(lines[bio_start:])),
        published=published,
        tags=tags,
    )


def parse_seed(data: bytes, *, max_bytes: int = MAX_BYTES) -> ParsedSeed:
    """Decode and parse one seed file's bytes. Raises SeedError."""
    text, warnings, encoding = decode_seed(data, max_bytes=max_bytes)
    return ParsedSeed(document=_parse_clean(text), warnings=tuple(warnings), encoding=encoding)


def render_seed(document: SeedDocument) -> str:
    """Write `document` in canonical seed form.

    ``parse_text(render_seed(d)) == d`` for every ``d`` that parse_text returns.
    """
    parts = [
        f"{document.headline}\n\n{document.dek}\n\n{document.body}\n\n",
        f"Author: {document.author}\n",
    ]
    if document.published is not None:
        parts.append(f"Published: {document.published.isoformat()}\n")
    if document.tags:
        parts.append(f"Tags: {', '.join(document.tags)}\n")
    if document.bio:
        parts.append(f"\n{document.bio}\n")
    return "".join(parts)

"""Hypothesis property tests for the seed-document parser (articles.seed)."""

import datetime
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from articles.seed import (
    MAX_AUTHOR,
    MAX_HEADLINE,
    MAX_TAG,
    SeedDocument,
    SeedError,
    decode_seed,
    parse_seed,
    parse_text,
    render_seed,
)

PROPERTY_SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# A stripped line parse_text reads as the byline. Paragraphs may start with
# "Published:" or "Tags:": render_seed never puts them where metadata goes.
AUTHOR_LINE = re.compile(r"(?ai)author:")

# Any character a decoded seed can hold: no C0/C1 controls (removed or line
# breaks), no surrogates. Zl/Zp (U+2028/U+2029), Zs and format characters
# such as U+200B stay in to prove they survive.
characters = st.characters(exclude_categories=("Cc", "Cs"))
line_text = st.text(characters, min_size=1, max_size=40).map(str.strip).filter(bool)


def one_line(max_size: int) -> st.SearchStrategy[str]:
    """A non-empty stripped single line that is not a byline."""
    lines = line_text | st.sampled_from(["Tags: not, metadata", "Published: 2020-01-01"])
    return lines.filter(lambda s: len(s) <= max_size and not AUTHOR_LINE.match(s))


def collapsed(max_size: int) -> st.SearchStrategy[str]:
    """A name or tag: whitespace runs collapsed to one space."""
    return (
        st.text(characters, min_size=1, max_size=30)
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: 0 < len(s) <= max_size)
    )


documents = st.builds(
    SeedDocument,
    headline=one_line(MAX_HEADLINE),
    dek=one_line(1000),
    body=st.lists(one_line(1000), min_size=1, max_size=5).map("\n\n".join),
    author=collapsed(MAX_AUTHOR),
    bio=st.lists(one_line(1000), max_size=3).map("\n\n".join),
    published=st.none()
    | st.dates(min_value=datetime.date(1, 1, 1))
    | st.datetimes(
        min_value=datetime.datetime(1000, 1, 1),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.just(datetime.UTC),
    ),
    tags=st.lists(
        collapsed(MAX_TAG).filter(lambda s: "," not in s),
        max_size=5,
        unique_by=str.casefold,
    ).map(tuple),
)


@st.composite
def seed_like_texts(draw: st.DrawFn) -> str:
    """Texts shaped roughly like seeds, with noise: most parse, many do not."""
    pieces = st.one_of(
        line_text,
        st.sampled_from(
            [
                "",
                " ",
                "\t",
                "Author: A. Writer",
                "author:",
                "AUTHOR:  Two   Spaces ",
                "Published: 2024-02-29",
                "Published: 2024-13-01",
                "published:1999-12-31",
                "Tags: a, B, b, , c",
                "tags:",
                "\u2028",
                "\x00",
                "\x0b",
                "\r",
                "\r\n",
            ]
        ),
    )
    return "\n".join(draw(st.lists(pieces, max_size=20)))


@st.composite
def byte_inputs(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, plus mutated real seeds so deep paths get exercised."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=400))
    if choice == 1:
        prefix = draw(
            st.sampled_from(
                [
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"\xfe\xff",
                    b"\xff\xfe\x00\x00",
                    b"PK\x03\x04",
                ]
            )
        )
        return prefix + draw(st.binary(max_size=400))
    text = draw(seed_like_texts()) if choice == 2 else render_seed(draw(documents))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = bytearray(text.encode(encoding, errors="replace"))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(data)))
        data[position:position] = draw(st.binary(min_size=1, max_size=3))
    return bytes(data)


@PROPERTY_SETTINGS
@given(byte_inputs())
def test_parse_seed_raises_only_seed_error(data):
    try:
        parsed = parse_seed(data)
    except SeedError as error:
        message = str(error)
        assert message
        assert "\n" not in message
        return
    assert len(parsed.sha256) == 64
    assert all("\n" not in warning for warning in parsed.warnings)
    assert parse_text(parsed.text) == parsed.document


@PROPERTY_SETTINGS
@given(st.binary(max_size=200), st.integers(1, 300))
def test_decode_seed_raises_only_seed_error(data, max_bytes):
    try:
        text, warnings, encoding = decode_seed(data, max_bytes=max_bytes)
    except SeedError:
        return
    assert "\r" not in text
    assert "\x00" not in text
    assert encoding in {"utf-8", "utf-8-sig", "utf-16", "cp1252"}
    assert all("\n" not in warning for warning in warnings)


# Oracle for the legacy-file rule: one well-formed UTF-8 multi-byte sequence
# (no overlongs, no surrogates) makes a file "meant as UTF-8".
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
text_like_bytes = st.lists(
    st.integers(0x20, 0x7E) | st.integers(0x80, 0xFF) | st.sampled_from([0xE2, 0x80, 0x9C, 0xC3, 0xA9, 0xF0]),
    max_size=60,
).map(bytes)


@PROPERTY_SETTINGS
@given(text_like_bytes)
def test_damaged_utf8_and_windows_1252_follow_the_multibyte_rule(data):
    try:
        _, warnings, encoding = decode_seed(data)
    except SeedError as error:
        assert str(error).startswith(("damaged UTF-8", "file is empty", "binary file", "legacy 8-bit text"))
        if str(error).startswith("damaged UTF-8"):
            assert UTF8_MULTIBYTE.search(data)
        if str(error).startswith("legacy 8-bit text"):  # € in ISO-8859-15, ¤ in Windows-1252: ambiguous
            assert b"\xa4" in data and not UTF8_MULTIBYTE.search(data)
        return
    if encoding == "cp1252":
        assert not UTF8_MULTIBYTE.search(data)
        assert b"\xa4" not in data
        assert len(warnings) == 1
    else:
        data.decode("utf-8")  # strictly valid


@PROPERTY_SETTINGS
@given(st.one_of(st.text(max_size=200), seed_like_texts()))
def test_parse_text_raises_only_seed_error_and_is_idempotent(text):
    try:
        document = parse_text(text)
    except SeedError as error:
        message = str(error)
        assert message
        assert "\n" not in message
        return
    assert parse_text(render_seed(document)) == document


@PROPERTY_SETTINGS
@given(documents)
def test_render_then_parse_round_trips(document):
    text = render_seed(document)
    assert parse_text(text) == document

    parsed = parse_seed(text.encode("utf-8"))
    assert parsed.document == document
    assert parsed.text == text
    assert parsed.warnings == ()
    assert parsed.encoding == "utf-8"


@PROPERTY_SETTINGS
@given(documents, st.sampled_from(["utf-8-sig", "utf-16-le", "utf-16-be"]), st.booleans())
def test_encoding_and_line_endings_do_not_change_the_hash(document, encoding, crlf):
    text = render_seed(document)
    assume(len(text.encode("utf-16-le")) <= 1024 * 1024)
    if crlf:
        text = text.replace("\n", "\r\n")
    bom = {"utf-8-sig": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    parsed = parse_seed(bom + text.encode(encoding))
    assert parsed.document == document
    assert parsed.sha256 == parse_seed(render_seed(document).encode()).sha256

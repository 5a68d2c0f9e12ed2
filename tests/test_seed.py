"""Unit tests for the seed-document parser (articles.seed). No database."""

import datetime
import hashlib
from pathlib import Path

import pytest

from articles.seed import (
    MAX_AUTHOR,
    MAX_BYTES,
    MAX_HEADLINE,
    MAX_TAG,
    ParsedSeed,
    SeedDocument,
    SeedError,
    decode_seed,
    parse_seed,
    parse_text,
    render_seed,
)

# The format's reference file (one real article), copied from the shared seeds into the repository.
REFERENCE_SEED = Path(__file__).resolve().parent / "data" / "reference" / "000_8caca3193bcad72e.txt"

# A short seed of our own, in the same shape as the reference one: curly
# quotes, a hard-wrapped paragraph, a bio after a blank line.
OWN_SEED = (
    "Harbour Bridge Reopens After Two\u2011Year Refit\n"
    "\n"
    "Commuters return to the \u201cold lady\u201d on Monday\n"
    "\n"
    "The bridge reopened at dawn, two years after engineers closed it\n"
    "for a refit that ran \u20ac40 million over budget.\n"
    "\n"
    "\u201cIt was worth the wait,\u201d said Zo\u00eb Faur\u00e9, "
    "who crosses it daily.\n"
    "\n"
    "Author: Ana  Lima\n"
    "\n"
    "Ana Lima covers transport.\n"
)


def seed(
    *,
    headline: str = "Headline",
    dek: str = "Dek line",
    body: str = "First paragraph.\n\nSecond paragraph.",
    byline: str = "Author: Jane Doe",
    after: str = "\nJane Doe writes about things.\n",
) -> str:
    """Build seed text from parts; `after` is everything below the byline."""
    return f"{headline}\n\n{dek}\n\n{body}\n\n{byline}\n{after}"


def rejection(data: bytes | str, **kwargs: int) -> str:
    """The SeedError message parse_seed gives for `data`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(SeedError) as info:
        parse_seed(data, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- The reference seed and our own ------------------------------------------


def test_reference_seed_field_by_field():
    parsed = parse_seed(REFERENCE_SEED.read_bytes())
    doc = parsed.document

    assert doc.headline == ("Russia, Belarus Agree to Strengthen Cooperation During Putin\u2019s Visit to Minsk")
    assert doc.dek == "The two countries agreed to work together to counter Western sanctions"
    # The brief expected 9; the file has 8 body paragraphs between dek and byline.
    assert len(doc.paragraphs) == 8
    assert doc.paragraphs[0].startswith("Russian President Vladimir Putin on Monday visited Minsk")
    assert doc.paragraphs[5].startswith("\u201cWe are countering together")
    assert doc.paragraphs[-1].endswith("this is holding back our development,\u201d he said.")
    assert doc.author == "Dave DeCamp"
    assert doc.bio == "Dave DeCamp is the news editor of, follow him on Twitter @decampdave."
    assert doc.tags == ()
    assert doc.published is None
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == ()
    assert parsed.sha256 == ("e1c2342cf62d45c4092d01aca5af3420538bde03d38a50e0f8884c3111ebb988")
    # The file is already canonical apart from its missing final newline.
    assert parsed.text == REFERENCE_SEED.read_text(encoding="utf-8") + "\n"


def test_own_seed_field_by_field():
    parsed = parse_seed(OWN_SEED.encode("utf-8"))
    doc = parsed.document

    assert doc == SeedDocument(
        headline="Harbour Bridge Reopens After Two\u2011Year Refit",
        dek="Commuters return to the \u201cold lady\u201d on Monday",
        body=(
            "The bridge reopened at dawn, two years after engineers closed it "
            "for a refit that ran \u20ac40 million over budget.\n\n"
            "\u201cIt was worth the wait,\u201d said Zo\u00eb Faur\u00e9, "
            "who crosses it daily."
        ),
        author="Ana Lima",
        bio="Ana Lima covers transport.",
    )
    assert len(doc.paragraphs) == 2
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == ()


# --- Structure ---------------------------------------------------------------


def test_hard_wrapped_lines_are_joined_with_one_space():
    doc = parse_text(seed(headline="A long\n   headline  ", dek="one\ntwo"))
    assert doc.headline == "A long headline"
    assert doc.dek == "one two"


def test_internal_spacing_and_unicode_survive_exactly():
    line = "Tabs\there,  two  spaces, \u05e9\u05dc\u05d5\u05dd, zero\u200bwidth, \U0001f30d, e\u0301"
    doc = parse_text(seed(body=line))
    assert doc.paragraphs == [line]


def test_unicode_line_separators_are_not_line_breaks():
    doc = parse_text(seed(body="one\u2028two\x85three"))
    assert doc.paragraphs == ["one\u2028two\x85three"]


def test_emoji_only_headline_is_accepted():
    assert parse_text(seed(headline="\U0001f525\U0001f525")).headline == "\U0001f525\U0001f525"


def test_author_line_is_case_insensitive_and_name_whitespace_collapsed():
    doc = parse_text(seed(byline="   AUTHOR:   Jean \t  Dupont  "))
    assert doc.author == "Jean Dupont"


def test_author_line_splits_a_block_it_sits_in():
    text = "Headline\n\nDek\n\nBody paragraph.\nAuthor: Jane Doe\nJane writes.\n"
    doc = parse_text(text)
    assert doc.paragraphs == ["Body paragraph."]
    assert doc.author == "Jane Doe"
    assert doc.bio == "Jane writes."


def test_glued_bio():
    doc = parse_text(seed(after="Jane Doe writes about things.\n"))
    assert doc.bio == "Jane Doe writes about things."


def test_absent_bio():
    doc = parse_text(seed(after=""))
    assert doc.bio == ""
    assert render_seed(doc).endswith("Author: Jane Doe\n")


def test_multi_paragraph_bio():
    doc = parse_text(seed(after="\nFirst bio\nparagraph.\n\n\nSecond bio paragraph.\n"))
    assert doc.bio == "First bio paragraph.\n\nSecond bio paragraph."


@pytest.mark.parametrize(
    "metadata",
    [
        "Published: 2023-05-01\nTags: Russia, belarus , , Union  State, RUSSIA\n",
        "Tags: Russia, belarus , , Union  State, RUSSIA\nPublished: 2023-05-01\n",
        "published:2023-05-01\ntags:Russia,belarus,Union State,russia\n",
    ],
)
def test_metadata_lines_in_either_order(metadata):
    doc = parse_text(seed(after=metadata + "Jane Doe writes.\n"))
    assert doc.published == datetime.date(2023, 5, 1)
    assert doc.tags == ("Russia", "belarus", "Union State")
    assert doc.bio == "Jane Doe writes."


def test_metadata_after_a_blank_line_is_bio():
    doc = parse_text(seed(after="\nTags: not, metadata\n"))
    assert doc.tags == ()
    assert doc.bio == "Tags: not, metadata"


def test_empty_tags_line_gives_no_tags():
    assert parse_text(seed(after="Tags: , ,\n")).tags == ()


def test_blank_line_runs_and_trailing_spaces_are_noise():
    clean = seed()
    noisy = (
        "\n\n  Headline   \n \t \n\n\nDek line  \n\n\n\n"
        "First paragraph.\t\n   \n\nSecond paragraph.\n\n\n"
        "  Author: Jane Doe  \n\n\n\nJane Doe writes about things.   \n\n\n"
    )
    assert parse_seed(noisy.encode()).document == parse_seed(clean.encode()).document
    assert parse_seed(noisy.encode()).sha256 == parse_seed(clean.encode()).sha256


def test_render_is_canonical():
    doc = SeedDocument(
        headline="H",
        dek="D",
        body="P1\n\nP2",
        author="A B",
        bio="Bio 1\n\nBio 2",
        published=datetime.date(2021, 1, 2),
        tags=("x", "y z"),
    )
    assert render_seed(doc) == (
        "H\n\nD\n\nP1\n\nP2\n\nAuthor: A B\nPublished: 2021-01-02\nTags: x, y z\n\nBio 1\n\nBio 2\n"
    )
    assert parse_text(render_seed(doc)) == doc


def test_paragraphs_property():
    assert parse_text(seed()).paragraphs == ["First paragraph.", "Second paragraph."]
    assert SeedDocument(headline="h", dek="d", body="", author="a").paragraphs == []


def test_sha256_is_of_the_normalised_text():
    parsed = parse_seed(seed().encode())
    assert parsed.text == render_seed(parsed.document)
    assert parsed.sha256 == hashlib.sha256(parsed.text.encode("utf-8")).hexdigest()
    # Pinned: a change here re-identifies every article already imported.
    assert parsed.sha256 == "0e8fb41065e57be5d655e37739f68fc288700bc3820ad12bb21904e938c70aa4"


def test_parsed_seed_is_a_frozen_value():
    parsed = parse_seed(seed().encode())
    assert isinstance(parsed, ParsedSeed)
    with pytest.raises(AttributeError):
        parsed.document.headline = "x"  # type: ignore[misc]


# --- Encodings and line endings ----------------------------------------------

UNICODE_SEED = seed(headline="Caf\u00e9 \u201cZo\u00eb\u201d \U0001f30d")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (UNICODE_SEED.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + UNICODE_SEED.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + UNICODE_SEED.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + UNICODE_SEED.encode("utf-16-be"), "utf-16"),
        (UNICODE_SEED.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (UNICODE_SEED.replace("\n", "\r").encode("utf-8"), "utf-8"),
        (
            b"\xff\xfe" + UNICODE_SEED.replace("\n", "\r\n").encode("utf-16-le"),
            "utf-16",
        ),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "crlf", "cr", "utf16le-crlf"],
)
def test_encodings_and_line_endings_give_the_same_document(data, encoding):
    parsed = parse_seed(data)
    assert parsed.encoding == encoding
    assert parsed.warnings == ()
    assert parsed.document == parse_text(UNICODE_SEED)
    assert parsed.sha256 == parse_seed(UNICODE_SEED.encode()).sha256


def test_mixed_line_endings():
    data = b"Headline\r\n\r\nDek\n\rBody.\r\rAuthor: Jane\r\nBio.\n"
    doc = parse_seed(data).document
    assert (doc.headline, doc.dek, doc.body, doc.author, doc.bio) == (
        "Headline",
        "Dek",
        "Body.",
        "Jane",
        "Bio.",
    )


def test_decode_seed_returns_text_warnings_and_encoding():
    text, warnings, encoding = decode_seed(b"\xef\xbb\xbfa\r\nb\rc")
    assert (text, warnings, encoding) == ("a\nb\nc", [], "utf-8-sig")


def test_windows_1252_fallback_warns():
    data = seed(headline="Caf\u00e9 \u2013 \u201cbar\u201d").encode("cp1252")
    parsed = parse_seed(data)
    assert parsed.encoding == "cp1252"
    assert parsed.document.headline == "Caf\u00e9 \u2013 \u201cbar\u201d"
    (warning,) = parsed.warnings
    assert "Windows-1252" in warning
    assert "0xE9 at byte offset 3" in warning


def test_windows_1252_undefined_bytes_map_like_latin1():
    text, warnings, encoding = decode_seed(b"Caf\xe9 \x81\x8d\x8f\x90\x9d")
    assert encoding == "cp1252"
    assert text == "Caf\u00e9 \x81\x8d\x8f\x90\x9d"
    assert len(warnings) == 1


def test_stray_nul_bytes_are_stripped_with_a_warning():
    data = seed(headline="Head\x00line", dek="Dek\x00\x00").encode()
    parsed = parse_seed(data)
    assert parsed.document.headline == "Headline"
    assert parsed.document.dek == "Dek"
    assert parsed.warnings == ("stripped 3 NUL bytes (PostgreSQL cannot store NUL)",)


def test_stray_control_characters_are_removed_with_a_warning():
    # Vertical tab and form feed read as spaces; other C0 controls are dropped.
    # Django's feed generator refuses all of them (not valid in XML 1.0).
    parsed = parse_seed(seed(headline="A\x0bB\x0cC\x07D\x1bE").encode())
    assert parsed.document.headline == "A B CDE"
    (warning,) = parsed.warnings
    assert warning.startswith("removed 4 control characters")


def test_utf16_does_not_trip_the_nul_check():
    parsed = parse_seed(b"\xff\xfe" + seed().encode("utf-16-le"))
    assert parsed.warnings == ()
    assert parsed.document == parse_text(seed())


def test_parse_text_normalises_like_parse_seed():
    text = seed(headline="Head\x00line\x0bnews").replace("\n", "\r\n")
    assert parse_text(text) == parse_seed(text.encode()).document
    assert parse_text(text).headline == "Headline news"


# --- Rejections --------------------------------------------------------------


def test_reject_empty_file():
    assert rejection(b"") == "file is empty (0 bytes)"


@pytest.mark.parametrize("data", [b"   ", b"\n\n\t \r\n", b"\xef\xbb\xbf \n"])
def test_reject_whitespace_only(data):
    assert rejection(data) == "file contains only whitespace"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF document"),
        (b"PK\x03\x04\x14\x00", "ZIP archive"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP image"),
        (b"\x7fELF\x02\x01\x01", "ELF executable"),
        (b"BZh91AY&SY\x12", "bzip2 archive"),
    ],
)
def test_reject_binary_by_magic_number(data, kind):
    assert rejection(data + b"\n\nHeadline\n\nDek\n\nBody\n\nAuthor: X\n") == (f"binary file ({kind}), not a text seed")


def test_reject_binary_by_control_bytes():
    data = bytes(range(256)) * 4
    message = rejection(data)
    assert message.startswith("binary data: ")
    assert "NUL or control bytes" in message


def test_reject_binary_behind_a_utf16_bom():
    message = rejection(b"\xff\xfe" + b"\x01\x00\x02\x00" * 50)
    assert message == "binary data: 100 of 100 UTF-16 characters are NUL or control characters"


def test_reject_many_nul_bytes_as_binary():
    data = seed().encode() + b"\x00" * 200
    assert "200 of" in rejection(data)


def test_reject_utf16_without_bom_with_a_hint():
    message = rejection(seed().encode("utf-16-le"))
    assert "UTF-16 without a byte-order mark" in message


def test_reject_damaged_utf8_with_offset():
    data = "Caf\u00e9 headline\n\n".encode() + b"Dek \xff broken\n\nBody\n\nAuthor: X\n"
    message = rejection(data)
    offset = data.index(b"\xff")
    assert message == f"damaged UTF-8 at byte offset {offset}: invalid start byte (0xFF)"


def test_reject_damaged_utf8_after_bom_counts_the_bom():
    message = rejection(b"\xef\xbb\xbfCaf\xe9\n")
    assert message == "damaged UTF-8 at byte offset 6: invalid continuation byte (0xE9)"


def test_reject_damaged_utf16():
    message = rejection(b"\xff\xfe" + "abc".encode("utf-16-le") + b"a")
    assert message.startswith("damaged UTF-16 at byte offset ")


def test_reject_over_max_bytes_and_override():
    data = seed().encode()
    message = rejection(data, max_bytes=50)
    assert message == (f"file is {len(data):,} bytes, over the 50-byte limit (raise it with --max-bytes)")
    assert parse_seed(data, max_bytes=len(data)).document.author == "Jane Doe"
    assert MAX_BYTES == 1024 * 1024
    assert "1,048,576-byte limit" in rejection(b"x" * (MAX_BYTES + 1))


def test_reject_no_headline():
    message = rejection("\n\nAuthor: Jane Doe\nBio.\n")
    assert message == "no headline: the file starts with the Author: line (line 3)"


def test_reject_long_headline():
    message = rejection(seed(headline="x" * (MAX_HEADLINE + 1)))
    assert message == f"headline is {MAX_HEADLINE + 1} characters long (limit {MAX_HEADLINE})"
    assert parse_text(seed(headline="x" * MAX_HEADLINE)).headline == "x" * MAX_HEADLINE


def test_reject_no_dek():
    message = rejection("Headline\n\nAuthor: Jane Doe\n")
    assert message == "no dek: nothing between the headline and the Author: line (line 3)"


def test_reject_no_body():
    message = rejection("Headline\n\nDek\nAuthor: Jane Doe\n")
    assert message == "no body: no paragraph between the dek and the Author: line (line 4)"


def test_reject_no_author_line():
    message = rejection("Headline\n\nDek\n\nBody.\n\nBy Jane Doe\n")
    assert message == "no Author: line (expected a line like 'Author: Jane Doe' after the body)"


@pytest.mark.parametrize("byline", ["Author:", "Author:   ", "author:\t"])
def test_reject_author_without_name(byline):
    assert rejection(seed(byline=byline)) == "the Author: line (line 9) has no name"


def test_reject_two_author_lines():
    message = rejection(seed(after="\nAuthor: Someone Else\n\nauthor: Third\n"))
    assert message == "3 Author: lines (lines 9, 11, 13); a seed has exactly one"


def test_reject_long_author_name():
    message = rejection(seed(byline="Author: " + "n" * (MAX_AUTHOR + 1)))
    assert message == f"author name is {MAX_AUTHOR + 1} characters long (limit {MAX_AUTHOR})"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("yesterday", "'yesterday'"),
        ("2023-5-1", "'2023-5-1'"),
        ("01/05/2023", "'01/05/2023'"),
        ("", "''"),
        ("\u0662\u0660\u0662\u0663-01-01", "'\u0662\u0660\u0662\u0663-01-01'"),
    ],
)
def test_reject_malformed_published(value, found):
    message = rejection(seed(after=f"Published: {value}\n"))
    assert message == (
        f"Published: on line 10 must be a date in YYYY-MM-DD form (or an ISO 8601 time with offset), found {found}"
    )


def test_published_may_be_an_exact_time_with_offset():
    document = parse_text(seed(after="Published: 2024-06-12T09:30:00+02:00\n"))
    assert document.published == datetime.datetime(2024, 6, 12, 7, 30, tzinfo=datetime.UTC)
    assert parse_text(render_seed(document)) == document


def test_published_time_without_offset_is_rejected():
    assert "YYYY-MM-DD" in rejection(seed(after="Published: 2024-06-12T09:30:00\n"))


def test_reject_impossible_published_date():
    message = rejection(seed(after="Published: 2023-02-30\n"))
    assert message == ("Published: on line 10 is not a real date, found '2023-02-30' (day is out of range for month)")


def test_reject_long_tag():
    tag = "t" * (MAX_TAG + 1)
    message = rejection(seed(after=f"Tags: ok, {tag}\n"))
    assert message.startswith(f"tag on line 10 is {MAX_TAG + 1} characters long (limit {MAX_TAG}): ")
    assert parse_text(seed(after=f"Tags: {'t' * MAX_TAG}\n")).tags == ("t" * MAX_TAG,)


def test_reject_repeated_metadata_line():
    message = rejection(seed(after="Tags: a\nPublished: 2020-01-01\ntags: b\n"))
    assert message == "two Tags: lines (lines 10 and 12); a seed has at most one"


def test_messages_stay_on_one_line_whatever_the_input():
    message = rejection(seed(after="Published: 2023\u2028-01\x85-01\n"))
    assert "\u2028" not in message
    assert "\x85" not in message


def test_reject_utf32():
    assert rejection(seed().encode("utf-32")) == "UTF-32 text is not supported; re-save the file as UTF-8"

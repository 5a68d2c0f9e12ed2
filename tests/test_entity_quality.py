"""How well the extractor indexes news articles, scored against a librarian's gold list.

Seven annotated sets, in the seed format with a gold.json and a README.md giving
the annotation rules: tests/data/entities/ (20 articles, the set the rules and
vocabulary are tuned on), tests/data/entities_heldout/ (39 articles written
and annotated before the extractor ran on them; its error lists were read while
writing rules) and tests/data/entities_sealed/ (22 articles, kept outside the
repository until it was scored once with the finished rules; its errors were read later) and
tests/data/entities_fresh/ (32 articles written apart on 2026-12-04; its errors read since) and
tests/data/entities_fresh2/ (32 more, written later that day; its errors read since) and
tests/data/entities_fresh3/ (32 more, written that evening; the unseen news of the fourth pass,
whose errors were read only once its work had stopped, and in the fifth) and
tests/data/entities_fresh4/ (32 more, written that night; the unseen news of the fifth pass,
its errors unread). An entity
counts as found only with exactly the gold's canonical name and kind
(articles/entities/evaluate.py). Each test fails when the micro F1 (or a
kind's F1) drops more than 0.02 below the score measured when its floors were
last raised. Print the tables with `pytest -s`, or run
scripts/score_entities.py DIR.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from articles.entities.evaluate import KINDS, extract_set, format_table, load_gold, score
from articles.entities.stored import load_vocabulary
from articles.seed import parse_seed

DATA = Path(__file__).resolve().parent / "data"
SETS = {
    # folder: (micro F1 floor, {kind: F1 floor}), each 0.02 under the score measured with the shipped
    # vocabulary and en_core_web_md 3.7.1.
    "entities": (0.964, {"PERSON": 0.969, "PLACE": 0.969, "ORG": 0.956}),  # measured .984; .989 .989 .976
    "entities_heldout": (0.930, {"PERSON": 0.967, "PLACE": 0.925, "ORG": 0.916}),  # .950; .987 .945 .936
    # Scored once with the merged extractor before anyone tuned on it (its README): .866; .900 .857 .856.
    # Its errors have since been read for kinds of error (issue 13): .933; .983 .927 .912
    "entities_sealed": (0.924, {"PERSON": 0.967, "PLACE": 0.915, "ORG": 0.911}),  # .944; .987 .935 .931
    # Written and annotated on 2026-12-04 while the rules above were worked on, kept apart and scored
    # twice, before (d906653: .844; .832 .869 .826) and after (f12982b: .871; .867 .894 .850); its
    # errors unread (its README). The unseen-news number of issue 13. Its errors read for kinds since
    # cc23e98 (issue 13's second round): legal forms (orgplace) .879; .867 .894 .872; people (person)
    # .885; .904 .890 .871; organisations and places (orgplace) .895; .906 .897 .888; people (person)
    # .906; .950 .898 .891; teams (orgplace) .910; .950 .902 .896; places (orgplace) .919; .950 .918 .904;
    # people (person) .926; .969 .921 .910; organisations (orgplace) .930; .969 .921 .917; people and
    # places (person) .933; .974 .925 .921; people (person) .936; .979 .927 .922; organisations and places
    # (orgplace) .940; .979 .934 .925; other names (person) .942; .981 .935 .927; amounts in dirhams,
    # people of a place (orgplace) .943; .981 .937 .929
    "entities_fresh": (0.923, {"PERSON": 0.961, "PLACE": 0.917, "ORG": 0.909}),
    # Unseen until issue 13's third pass (2f68b30: .850; .924 .833 .828); its errors read since. Outlets a
    # writer works for or a source told (orgs): .861; .937 .836 .850. Natural features named by a
    # lower-case noun, towns beside landmarks named after them (places): .868; .937 .851 .850. A list
    # names things of one kind (orgs): .871; .937 .855 .854. Places cut at a hyphen (places): .875; .939
    # .864 .854. Companies such as …, coordination inside and between names (orgs): .879; .939 .864 .864
    # AP state abbreviations, possessives inside place names (places): .882; .939 .871 .866. Place names
    # that go on after a particle (places): .885; .939 .877 .866. Teams: "X, who are", "X of Town 3-1"
    # (orgs): .888; .941 .880 .869. A body named in full, then by its first or last words (orgs): .889;
    # .941 .880 .871. Brand-cased names introduced by what they are (orgs): .890; .941 .880 .876. Street
    # and quarter head words, a place's name in another language (places): .895; .947 .886 .880. A
    # country's island or city in an apposition (places): .897; .947 .888 .881. Issue 13's fifth pass,
    # organisations (orgs, 179ec54..6ba833b): .900; .947 .888 .889 (ORG floor raised).
    "entities_fresh2": (0.877, {"PERSON": 0.927, "PLACE": 0.868, "ORG": 0.869}),
    # Written before issue 13's fourth pass and kept apart during it (its README): at its start .849;
    # .899 .859 .814, at its end (5399526) .858; .901 .870 .824. Its errors read in the fifth pass:
    # organisations (orgs, 179ec54..6ba833b) ORG .861 at 1d029c8 (ORG floor raised); at the fifth pass's
    # end (25d5a41, places and orgs) .881; .905 .888 .863 (floors raised).
    "entities_fresh3": (0.861, {"PERSON": 0.885, "PLACE": 0.868, "ORG": 0.843}),
    # Written before issue 13's fifth pass and kept apart during it, errors unread (its README): at its
    # start (dc30c65) .841; .923 .829 .814, at its end (25d5a41) .846; .923 .834 .821.
    "entities_fresh4": (0.826, {"PERSON": 0.903, "PLACE": 0.814, "ORG": 0.801}),
}


def test_scoring_counts_exact_name_and_kind():
    gold = {"a.txt": {("Vladimir Putin", "PERSON"), ("Minsk", "PLACE")}}
    table = score({"a.txt": {("Vladimir Putin", "PERSON"), ("Minsk", "ORG"), ("Putin", "PERSON")}}, gold)
    assert (table["PERSON"]["tp"], table["PERSON"]["fp"], table["PLACE"]["fn"], table["ORG"]["fp"]) == (1, 1, 1, 1)
    assert table["micro"]["precision"] == pytest.approx(1 / 3)
    assert table["micro"]["recall"] == pytest.approx(1 / 2)


def test_gold_annotations_follow_their_own_rules():
    # The held-out set has its own, stricter checks (tests/test_entities_heldout_gold.py).
    gold = json.loads((DATA / "entities" / "gold.json").read_text(encoding="utf-8"))
    assert len(gold) >= 15
    for name, wanted in gold.items():
        parse_seed((DATA / "entities" / name).read_bytes())  # every article is a valid seed
        pairs = [(e["name"], e["kind"]) for e in wanted]
        assert len(pairs) == len(set(pairs)), f"{name}: an entity listed twice"
        for entity_name, kind in pairs:
            assert kind in KINDS
            assert not entity_name.lower().startswith("the ") and "\n" not in entity_name


@pytest.mark.django_db
@pytest.mark.parametrize("folder", list(SETS))
def test_extractor_quality(folder):
    data = DATA / folder
    gold = load_gold(data)
    vocabulary = load_vocabulary()  # the migrated database's vocabulary: the starter list, as shipped
    table = score(extract_set(data, vocabulary), gold)
    print(f"\n{folder}\n{format_table(table)}")
    micro_floor, kind_floors = SETS[folder]
    assert table["micro"]["f1"] >= micro_floor
    for kind, floor in kind_floors.items():
        assert table[kind]["f1"] >= floor, kind


@pytest.mark.parametrize(
    "folder, counts",
    [("entities_sealed", "22 articles, 593 gold entities"), ("entities_fresh", "32 articles, 996 gold")],
)
def test_the_later_sets_pass_their_own_checks(folder, counts):
    # tools/check.py of each: seeds valid, every gold name written in its article.
    check = DATA / folder / "tools" / "check.py"
    result = subprocess.run([sys.executable, str(check)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert counts in result.stdout

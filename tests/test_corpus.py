"""The synthetic corpus generator and the entity loader the benchmarks use."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.ingest import ingest_paths
from articles.models import Entity
from articles.seed import parse_seed

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_corpus.py"


def generate(output, *args):
    return subprocess.run(
        [sys.executable, str(GENERATOR), "--output", str(output), "--quiet", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert generate(tmp_path / name, "--articles", "30", "--seed", seed).returncode == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 31  # 30 articles and entities.json
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert (tmp_path / "a" / files[0]).read_bytes() != (tmp_path / "c" / files[0]).read_bytes()


def test_articles_are_valid_seed_files_of_realistic_length(tmp_path):
    generate(tmp_path, "--articles", "40")
    for path in tmp_path.rglob("*.txt"):
        document = parse_seed(path.read_bytes()).document
        assert 300 <= len(document.body.split()) <= 1600
        assert document.author and document.published
    assert sum(1 for p in tmp_path.rglob("*.txt") if "\nTags: " in p.read_text(encoding="utf-8")) > 0


def test_bad_arguments_are_a_usage_error(tmp_path):
    result = generate(tmp_path, "--articles", "-1")
    assert result.returncode == 2
    assert "--articles" in result.stderr


@pytest.mark.django_db
def test_entities_load_then_ingest_links_them(tmp_path):
    generate(tmp_path, "--articles", "20", "--entities", "400")
    entities = json.loads((tmp_path / "entities.json").read_text(encoding="utf-8"))
    assert len(entities) == 400 and {"name", "kind", "aliases"} <= set(entities[0])
    out = io.StringIO()
    call_command("load_entities", str(tmp_path / "entities.json"), stdout=out)
    assert "entities created" in out.getvalue()
    assert {(e["name"], e["kind"]) for e in entities} <= set(Entity.objects.values_list("name", "kind"))
    again = io.StringIO()
    call_command("load_entities", str(tmp_path / "entities.json"), stdout=again)
    assert again.getvalue().startswith("0 entities created, 0 existing ones gained aliases")
    report = ingest_paths([str(tmp_path)], workers=1)
    assert report.created == 20 and not report.failed


@pytest.mark.django_db
def test_load_entities_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[["Atlantis", "PLANET", []]]', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_entities", str(bad), stderr=io.StringIO())
    assert exit_info.value.code == 1
    assert not Entity.objects.filter(name="Atlantis").exists()

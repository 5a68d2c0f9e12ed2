#!/usr/bin/env python3
"""Time ingest on a generated corpus: without NER over all of it, with NER on a slice, and relink.

    .venv/bin/python scripts/bench_ingest.py --corpus DIR --database-url URL \\
        [--ner-slice 10000] [--workers 2] [--json OUT]

DIR is a corpus written by scripts/generate_corpus.py (its `entities.json` beside the
files). Each database used is dropped and created afresh: THE DATABASES NAMED ARE WIPED.

1. `--no-ner`: the database at URL is recreated, migrated, the corpus vocabulary loaded
   (`load_entities`), then `manage.py ingest_seeds DIR --no-ner --workers N` is timed:
   articles/second and peak memory (the largest process's resident set, from
   getrusage(RUSAGE_CHILDREN) in a wrapper that runs only the ingest). The database is
   left loaded, for the page benchmarks.
2. NER on the first --ner-slice files (sorted paths, hard-linked into a scratch folder):
   the same ingest with the statistical model, at 1 worker and at --workers, each into a
   fresh database (URL's name + `_ner`, or --ner-database-url; a copy of the migrated one), beside the model's own
   speed on the same text and process count (spaCy's NER alone, loaded before the clock
   starts, paragraphs as `find_spans` reads them). Words are the headline's, dek's,
   body's and bio's. --ner-slice 0 skips this step.
3. `manage.py relink_entities` over the loaded database, timed, after `VACUUM (ANALYZE)`: what
   autovacuum starts on its own after a bulk load, and would otherwise do on the other
   core while relink runs (as a site's operator would after loading an archive).

Prints a short summary; --json OUT writes every number. Keys (all times in seconds):
  ingest_no_ner: {workers, articles (stored), files, failed, seconds (the whole command), articles_per_s,
                  ingest_seconds (the ingest's own clock, without start-up), peak_rss_mib,
                  report (ingest_seeds --json)}
  ner: {articles, words, runs: [{the same keys, words_per_s, model_words_per_s, share_of_model}],
        speedup (articles/s at --workers over 1 worker)}  (null with --ner-slice 0)
  relink: {seconds, peak_rss_mib, report}
"""

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import localenv  # noqa: E402 - the scripts folder is on the path only now

# Runs one command and reports its wall time and the peak RSS of its process tree's largest
# process: RUSAGE_CHILDREN in a fresh process counts only that command and its descendants.
MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE)
seconds = time.perf_counter() - started
sys.stdout.buffer.write(done.stdout)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "peak_rss_kib": peak, "returncode": done.returncode}, out)
sys.exit(done.returncode)
"""


def log(message):
    print(f"bench_ingest: {message}", file=sys.stderr, flush=True)


def with_database_name(url, name):
    """`url` naming database `name` instead (postgres:///a -> postgres:///b; geturl() would drop the //)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{quote(name, safe='')}" + (f"?{parts.query}" if parts.query else "")


def database_name(url):
    return localenv.parse_url(url)["dbname"]


def recreate_database(url, template=None):
    """Drop and create the database at `url` (a copy of `template`, a database name, if given)."""
    url = localenv.ensure_postgres(url)  # a project-local cluster when none answers
    info = localenv.parse_url(url)
    conn = psycopg2.connect(**localenv.connect_kwargs(info, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        name = sql.Identifier(info["dbname"])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if template:
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(name, sql.Identifier(template)))
        else:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    conn.close()
    return url


def environment(url):
    env = dict(os.environ, DATABASE_URL=url, HTTPS=os.environ.get("HTTPS", "0"), DEBUG="")
    env["SECRET_KEY"] = env.get("SECRET_KEY") or localenv.ensure_secret_key()
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def measured(env, *args):
    """Run `manage.py ARGS` (which prints JSON last); (JSON report, seconds, peak RSS in MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        done = subprocess.run(
            [PYTHON, "-c", MEASURE, out.name, PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        timing = json.load(out)
    if done.returncode not in (0, 1):  # 1: some file failed, which the report says
        sys.exit(f"bench_ingest: manage.py {' '.join(args)} exited with {done.returncode}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1]) if lines else {}
    return report, timing["seconds"], round(timing["peak_rss_kib"] / 1024, 1)


def prepare(url, corpus):
    """A fresh database at `url`, migrated, with the corpus vocabulary loaded; its environment."""
    env = environment(recreate_database(url))
    manage(env, "migrate", "--noinput")
    manage(env, "load_entities", str(corpus / "entities.json"))
    return env


def vacuum(url):
    """VACUUM (ANALYZE) the database at `url`: statistics and visibility map after a bulk load."""
    info = localenv.parse_url(url)
    conn = psycopg2.connect(**localenv.connect_kwargs(info, info["dbname"]))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    conn.close()


def copy_of(template_url, url):
    """A fresh copy of the prepared (still empty) database at `template_url`: no second migrate."""
    return environment(recreate_database(url, template=database_name(template_url)))


def seed_files(corpus):
    return sorted(path for path in corpus.rglob("*.txt") if path.is_file())


def ingest(env, paths, workers, ner):
    args = ["ingest_seeds", *map(str, paths), "--workers", str(workers), "--json"]
    report, seconds, peak = measured(env, *args, *([] if ner else ["--no-ner"]))
    stored = sum(report.get(key, 0) for key in ("created", "updated"))
    counted = ("created", "updated", "unchanged", "duplicates", "conflicts")
    return {
        "workers": workers,
        "articles": stored,
        "files": sum(report.get(key, 0) for key in counted) + len(report.get("failed", [])),
        "failed": len(report.get("failed", [])),
        "seconds": round(seconds, 2),  # the whole command: start-up, model loading, the ingest
        "articles_per_s": round(stored / seconds, 1),
        "ingest_seconds": report.get("seconds"),  # the ingest's own clock, without start-up
        "peak_rss_mib": peak,
        "report": report,
    }


# --- the model's own speed ---------------------------------------------------------------


def _model_text(document):
    return "\n\n".join(part for part in (document.dek, document.body, document.bio) if part)


def _words(document):
    return sum(len(part.split()) for part in (document.headline, document.dek, document.body, document.bio))


def _spans_of(text):
    from articles.entities.ner import find_spans

    return len(find_spans(text))


def model_words_per_second(texts, words, workers):
    """Words/second of spaCy's NER alone over `texts` in `workers` processes (forked after loading)."""
    from articles.entities.ner import load_model

    load_model()
    _spans_of(texts[0])  # warm up
    started = time.perf_counter()
    if workers == 1:
        for text in texts:
            _spans_of(text)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_spans_of, texts, chunksize=4):
                pass
    return round(words / (time.perf_counter() - started))


def bench_ner(corpus, prepared_url, ner_url, size, workers):
    from articles.seed import parse_seed

    files = seed_files(corpus)[:size]
    documents = [parse_seed(path.read_bytes()).document for path in files]
    texts = [_model_text(d) for d in documents]
    words = sum(_words(d) for d in documents)
    del documents
    scratch = Path(tempfile.mkdtemp(prefix="ner-slice-", dir=corpus.parent))
    try:
        for number, path in enumerate(files):
            target = scratch / f"{number // 1000:03d}" / path.name
            target.parent.mkdir(exist_ok=True)
            try:
                os.link(path, target)  # a hard link is a file of the folder, not a link out of it
            except OSError:
                shutil.copyfile(path, target)
        runs = []
        for count in sorted({1, workers}):
            log(f"NER: model alone on {len(files):,} articles, {count} process(es)")
            model = model_words_per_second(texts, words, count)
            log(f"NER: ingest of {len(files):,} articles with the model, --workers {count}")
            run = ingest(copy_of(prepared_url, ner_url), [scratch], count, ner=True)
            run["words_per_s"] = round(words / run["seconds"])
            run["model_words_per_s"] = model
            run["share_of_model"] = round(run["words_per_s"] / model, 3)
            runs.append(run)
    finally:
        shutil.rmtree(scratch)
    speedup = round(runs[-1]["articles_per_s"] / runs[0]["articles_per_s"], 2) if len(runs) > 1 else None
    return {"articles": len(files), "words": words, "runs": runs, "speedup": speedup}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, required=True, help="folder written by generate_corpus.py")
    parser.add_argument("--database-url", required=True, help="database to recreate and leave loaded (WIPED)")
    parser.add_argument("--ner-database-url", help="database for the NER runs (WIPED; default: URL's name + _ner)")
    parser.add_argument("--ner-slice", type=int, default=10000, help="articles ingested with NER (0 skips)")
    parser.add_argument("--workers", type=int, default=2, help="ingest workers (default 2)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the numbers here as JSON")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not (corpus / "entities.json").exists():
        parser.error(f"{corpus} has no entities.json: not a generated corpus")
    if args.workers < 1 or args.ner_slice < 0:
        parser.error("--workers must be positive and --ner-slice not negative")
    ner_url = args.ner_database_url or with_database_name(args.database_url, database_name(args.database_url) + "_ner")
    if database_name(ner_url) == database_name(args.database_url):
        parser.error("the NER database must differ from the main one")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

    results = {}
    env = prepare(args.database_url, corpus)
    if args.ner_slice:
        results["ner"] = bench_ner(corpus, env["DATABASE_URL"], ner_url, args.ner_slice, args.workers)
        for run in results["ner"]["runs"]:
            log(
                f"NER --workers {run['workers']}: {run['articles_per_s']} articles/s, {run['words_per_s']:,} words/s "
                f"= {run['share_of_model']:.0%} of the model's {run['model_words_per_s']:,}"
            )
    else:
        results["ner"] = None

    log(f"ingest --no-ner of {corpus} with --workers {args.workers} into a fresh database")
    results["ingest_no_ner"] = ingest(env, [corpus], args.workers, ner=False)
    main_run = results["ingest_no_ner"]
    log(f"ingest --no-ner: {main_run['articles_per_s']} articles/s, peak RSS {main_run['peak_rss_mib']} MiB")

    vacuum(env["DATABASE_URL"])
    log("relink_entities over the loaded database")
    report, seconds, peak = measured(env, "relink_entities", "--workers", str(args.workers), "--json")
    results["relink"] = {"seconds": round(seconds, 2), "peak_rss_mib": peak, "report": report}
    log(f"relink_entities: {seconds:.1f}s")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    else:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

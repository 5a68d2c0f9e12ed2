#!/usr/bin/env python3
"""Time the background jobs on a loaded archive: admin saves, their jobs, web memory, queued ingest.

    .venv/bin/python scripts/bench_jobs.py --database-url URL [--ingest-files 400] [--saves 50] [--json OUT]

URL is a loaded archive (`make bench` passes its own; a copy of a big one otherwise): it
gains a `bench-jobs` superuser, one alias (added then taken out again), the articles of
the ingest slices below, and edited bodies of the articles the memory step saves; it
loses its four largest tags to two merges (step 4).

1. Admin saves, through Django's full stack in this process (as an editor's browser
   would, without the network; the form is opened first, so the process is warm):
   adding an alias to the most mentioned entity (response time), then
   `manage.py worker --burst --concurrency 2` runs the re-linking it queued (the job's
   time, first part started to last part done, and its parts); an article's save
   (response time) and its extraction job. Whether this process imported spaCy.
2. Web memory and saves over HTTP: gunicorn (2 workers) serving the admin; the resident
   memory of each worker after one page, then after `--saves` article saves over HTTP,
   spread over the workers; and whether any worker mapped spaCy's libraries. Each save's
   answer (the POST, a redirect) is timed apart from the article list it leads to, which
   the browser loads next.
3. Ingest with the model: a new corpus of 5 × `--ingest-files` articles (generate_corpus,
   another seed), one slice each for: spaCy's NER alone in 1 and 2 processes (the model's
   own speed-up), a direct `ingest_seeds --workers 2`, and queued ingests (`--enqueue`,
   parts of `--part-size` files) run by 1 and by 2 worker processes. Slices differ, so
   speeds are compared in words/s. Against the direct ingest, a queued one is timed end
   to end as the direct one is (from the enqueue to the end of the job and of the job
   linking the entities it created; the worker starts after the enqueue, so both include
   starting a process and loading the model); the 1-to-2-worker speed-up is timed over
   the parts (first start to last end), as the model's own excludes loading it.

The archive is analysed first (ANALYZE, as autovacuum would have done by then): a copy
of a database that was never analysed plans with default estimates.
4. Merges and bulk actions in the admin (`--bulk-articles 0` leaves it out): merging the
   two largest tags (the response, then its job with 2 worker processes) and merging the
   next two directly, in one transaction, as the request did before merges were jobs;
   unpublishing and publishing back the articles of the author with about `--bulk-articles`
   of them (the list filtered by author, "Select all", the action: each response and
   job, then the same done directly).

Prints a table; --json OUT writes every number. Machines are shared: say the load.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_ingest  # noqa: E402 - the scripts folder is on the path only now
import localenv  # noqa: E402

USERNAME, PASSWORD = "bench-jobs", "bench-jobs-password-0"  # noqa: S105 - a throwaway benchmark account


def log(message):
    print(f"bench_jobs: {message}", file=sys.stderr, flush=True)


def load():
    return round(os.getloadavg()[0], 2)


def setup(env):
    os.environ.update(env)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    user.is_staff = user.is_superuser = True
    user.set_password(PASSWORD)
    user.save()
    return user


def run_worker(env, concurrency):
    """`manage.py worker --burst`; returns its wall time."""
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", "worker", "--burst", "--concurrency", str(concurrency)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def job_times(job):
    """(seconds from the first part's start to the job's end, seconds queued before that)."""
    job.refresh_from_db()
    first = job.part_set.order_by("started_at").values_list("started_at", flat=True).first() or job.created_at
    return (job.finished_at - first).total_seconds(), (first - job.created_at).total_seconds()


def article_form(article, body):
    published = article.published_at
    return {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": body,
        "author": article.author_id or "",
        "tags": ", ".join(article.tags.values_list("name", flat=True)),
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        "mentions-MIN_NUM_FORMS": "0",
        "mentions-MAX_NUM_FORMS": "1000",
    }


# --- 1. admin saves and their jobs ----------------------------------------------------------


def bench_saves(env, user):
    from django.test import Client

    from articles import changes
    from articles.jobs.models import Job
    from articles.models import Article, Entity, EntityStats

    client = Client()
    client.force_login(user)
    stats = EntityStats.objects.select_related("entity").order_by("-article_count").first()
    entity = stats.entity
    alias = f"Benchjobs Alias {int(time.time())}"
    log(f"adding an alias to “{entity.name}” ({stats.article_count:,} public articles)")
    client.get(f"/admin/articles/entity/{entity.pk}/change/")  # the editor opens the form first
    started = time.perf_counter()
    response = client.post(
        f"/admin/articles/entity/{entity.pk}/change/",
        {"name": entity.name, "slug": entity.slug, "kind": entity.kind, "aliases": "\n".join([*entity.aliases, alias])},
    )
    alias_seconds = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    relink = Job.objects.filter(kind="relink").latest("created_at")
    log(f"answered in {alias_seconds:.3f}s; running the re-linking job with 2 worker processes (load {load()})")
    run_worker(env, 2)
    relink_seconds, relink_waited = job_times(relink)

    article = Article.objects.filter(mentions__entity=entity, entities_pinned=False).order_by("-pk").first()
    client.get(f"/admin/articles/article/{article.pk}/change/")
    started = time.perf_counter()
    response = client.post(
        f"/admin/articles/article/{article.pk}/change/", article_form(article, article.body + "\n\nEdited by bench.")
    )
    article_seconds = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    extract = Job.objects.filter(kind="reextract").latest("created_at")
    run_worker(env, 1)
    extract_seconds, _ = job_times(extract)

    with changes.atomic():  # the alias matches nothing: taking it out needs no re-linking
        Entity.objects.filter(pk=entity.pk).update(aliases=entity.aliases)
        changes.apply(entities=[entity.pk])
    return {
        "entity": entity.name,
        "entity_articles": stats.article_count,
        "alias_save_seconds": round(alias_seconds, 3),
        "relink_job": {
            "seconds": round(relink_seconds, 1),
            "waited_seconds": round(relink_waited, 1),
            "articles": relink.total,
            "parts": relink.parts,
            "state": relink.state,
            "result": relink.result,
        },
        "article_save_seconds": round(article_seconds, 3),
        "extract_job_seconds": round(extract_seconds, 2),
        "spacy_in_this_process": "spacy" in sys.modules,
        "load": load(),
    }


# --- 2. web memory ---------------------------------------------------------------------------


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def maps_spacy(pid):
    return "spacy" in Path(f"/proc/{pid}/maps").read_text()


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # urllib then raises the 3xx as an HTTPError, with its headers


class Browser:
    """An editor's session over HTTP: cookies and the CSRF token."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        # Redirects are not followed: a save's answer is timed apart from the page it leads to.
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, path):
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as response:
            text = response.read().decode()
        self.seconds = time.perf_counter() - started
        return text

    def post(self, path, data):
        """POST a form; returns (status, seconds, the redirect's location or None)."""
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        request = urllib.request.Request(  # noqa: S310 - self.base is http://127.0.0.1:PORT
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                response.read()
                return response.status, time.perf_counter() - started, None
        except urllib.error.HTTPError as redirect:
            if redirect.code not in (301, 302, 303):
                raise
            redirect.read()
            return redirect.code, time.perf_counter() - started, redirect.headers["Location"]

    def login(self):
        self.get("/admin/login/")
        self.post("/admin/login/?next=/admin/", {"username": USERNAME, "password": PASSWORD})
        assert "sessionid" in {c.name for c in self.jar}, "login failed"


def bench_memory(env, saves, port):
    from articles.models import Article

    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "newsroom.wsgi"],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "2", "PORT": str(port), "ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                browser.login()
                break
            except OSError:
                time.sleep(0.2)
        workers = children(server.pid)
        browser.get("/admin/articles/article/")
        fresh = {pid: rss_mib(pid) for pid in workers}
        articles = list(Article.objects.filter(entities_pinned=False).order_by("-pk")[:saves])
        times, pages = [], []
        for number, article in enumerate(articles):
            status, seconds, location = browser.post(
                f"/admin/articles/article/{article.pk}/change/",
                article_form(article, article.body + f"\n\nEdited by bench ({number})."),
            )
            assert status == 302 and location, (status, location)  # saved: on to the article list
            times.append(seconds)
            browser.get(location)
            pages.append(browser.seconds)
        after = {pid: rss_mib(pid) for pid in workers}
        spacy = {pid: maps_spacy(pid) for pid in workers}
    finally:
        server.terminate()
        server.wait(30)
    times.sort()
    pages.sort()
    log(f"running the {len(times)} extraction jobs the saves queued, 2 worker processes (load {load()})")
    drained = run_worker(env, 2)
    return {
        "extraction_jobs_seconds": round(drained, 1),
        "saves": len(times),
        "save_median_seconds": round(times[len(times) // 2], 3),
        "save_max_seconds": round(times[-1], 3),
        "list_after_save_median_seconds": round(pages[len(pages) // 2], 3),
        "list_after_save_max_seconds": round(pages[-1], 3),
        "workers": [
            {"fresh_mib": fresh[pid], "after_mib": after[pid], "growth_mib": round(after[pid] - fresh[pid], 1)}
            for pid in workers
        ],
        "spacy_mapped": any(spacy.values()),
        "load": load(),
    }


# --- 3. ingest with the model ----------------------------------------------------------------


def words_of(files):
    from articles.seed import parse_seed

    return sum(bench_ingest._words(parse_seed(path.read_bytes()).document) for path in files)


def bench_ingest_runs(env, files_per_run, part_size, workdir):
    from articles.jobs.models import Job
    from articles.seed import parse_seed

    corpus = workdir / "jobs-corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    log(f"generating {5 * files_per_run:,} articles")
    subprocess.run(
        # A seed of its own each run: articles an earlier run stored would be duplicates now.
        [PYTHON, "scripts/generate_corpus.py", "--articles", str(5 * files_per_run), "--seed", str(int(time.time()))]
        + ["--output", str(corpus), "--quiet"],
        cwd=ROOT,
        check=True,
    )
    files = bench_ingest.seed_files(corpus)
    slices = {}
    for number, name in enumerate(["model", "direct", "queued-1", "queued-2", "spare"]):
        folder = corpus / f"slice-{name}"
        folder.mkdir()
        for path in files[number * files_per_run : (number + 1) * files_per_run]:
            path.rename(folder / path.name)
        slices[name] = sorted(folder.iterdir())
    documents = [parse_seed(path.read_bytes()).document for path in slices["model"]]
    texts = [bench_ingest._model_text(d) for d in documents]
    words = sum(bench_ingest._words(d) for d in documents)
    log(f"the model alone, 1 and 2 processes (load {load()})")
    model = {n: bench_ingest.model_words_per_second(texts, words, n) for n in (1, 2)}

    runs, loads = {}, {}
    log(f"direct ingest, --workers 2 (load {load()})")
    loads["direct-2"] = load()
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", "ingest_seeds", str(corpus / "slice-direct"), "--workers", "2", "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    runs["direct-2"] = (time.monotonic() - started, words_of(slices["direct"]))
    for name, concurrency in (("queued-2", 2), ("queued-1", 1)):  # queued-2 right after direct-2
        log(f"queued ingest, {concurrency} worker process(es) (load {load()})")
        loads[name] = load()
        end_to_end, parts = queued_ingest(env, corpus / f"slice-{name}", concurrency, part_size)
        words = words_of(slices[name])
        runs[name], runs[name + "-end-to-end"] = (parts, words), (end_to_end, words)
        job = Job.objects.filter(kind="ingest").latest("created_at")
        stored = job.result.get("created", 0) + job.result.get("updated", 0)  # a headline may recur: updated
        assert stored == files_per_run, {k: v for k, v in job.result.items() if k != "notes"}
    shutil.rmtree(corpus)
    speed = {name: round(w / s) for name, (s, w) in runs.items()}
    model_speedup = model[2] / model[1]
    queue_speedup = speed["queued-2"] / speed["queued-1"]
    return {
        "files_per_run": files_per_run,
        "part_size": part_size,
        "model_words_per_s": model,
        "words_per_s": speed,
        "seconds": {name: round(s, 1) for name, (s, _) in runs.items()},
        "load_at_start": loads,
        "model_speedup": round(model_speedup, 2),
        "queue_speedup": round(queue_speedup, 2),
        "share_of_model_speedup": round(queue_speedup / model_speedup, 3),
        "overhead_vs_direct_2": round(1 - speed["queued-2-end-to-end"] / speed["direct-2"], 3),
        "load": load(),
    }


def queued_ingest(env, folder, concurrency, part_size):
    """Enqueue the folder's ingest and run it with a burst worker of `concurrency` processes.

    Returns (seconds from the enqueue to the end of the job and of its follow-up, seconds
    from the first part's start to the job's end)."""
    from articles.jobs.models import Job

    subprocess.run(
        [PYTHON, "manage.py", "ingest_seeds", str(folder), "--enqueue", "--batch-size", str(part_size)],
        cwd=ROOT,
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    job = Job.objects.filter(kind="ingest").latest("created_at")
    run_worker(env, concurrency)
    parts, _ = job_times(job)
    ended = job.finished_at
    follow_up = job.result.get("link_new_job")
    if follow_up:
        ended = max(ended, Job.objects.get(pk=follow_up).finished_at)
    return (ended - job.created_at).total_seconds(), parts


# --- 4. merges and bulk actions ---------------------------------------------------------------


def admin_post(client, url, data):
    """An admin POST's response time (seconds), asserting it answered with a redirect."""
    started = time.perf_counter()
    response = client.post(url, data)
    seconds = time.perf_counter() - started
    assert response.status_code == 302, (url, response.status_code)
    return seconds


def job_result(job, wall):
    job.refresh_from_db()
    seconds, waited = job_times(job)
    return {
        "seconds": round(seconds, 1),
        "worker_wall_seconds": round(wall, 1),
        "articles": job.total,
        "parts": job.parts,
        "state": job.state,
        "result": {k: v for k, v in job.result.items() if isinstance(v, int | float)},
    }


def bench_curation(env, user, bulk_articles):
    """Merging the two largest tags in the admin, and unpublishing then publishing `bulk_articles`
    articles with the bulk actions: each response, and each job with 2 worker processes; then the
    same work done directly, in one transaction (what the request did before it was a job)."""
    from django.conf import settings
    from django.db.models import Count, F, Func
    from django.test import Client
    from django.utils import timezone

    from articles import bulk, merge
    from articles.jobs.models import Job
    from articles.models import Article, Author, Tag

    client = Client()
    client.force_login(user)
    client.get("/admin/articles/tag/")  # warm
    tags = list(Tag.objects.annotate(n=Count("taggings")).order_by("-n", "pk")[:4])
    keep, other = tags[0], tags[1]
    log(f"merging “{other.name}” ({other.n:,}) into “{keep.name}” ({keep.n:,}) in the admin (load {load()})")
    response = admin_post(
        client,
        "/admin/articles/tag/",
        {"action": "merge_selected", "_selected_action": [keep.pk, other.pk], "confirm": "yes", "survivor": keep.pk},
    )
    job = Job.objects.filter(kind="merge").latest("created_at")
    merged = {"tags": [keep.n, other.n], "response_seconds": round(response, 3), "load_before_job": load()}
    merged["job"] = job_result(job, run_worker(env, 2))
    if len(tags) == 4:
        log(f"the same merge done directly, tags 3 and 4 ({tags[2].n:,} + {tags[3].n:,} articles; load {load()})")
        started = time.perf_counter()
        merge.merge_tags(tags[2], [tags[3]])
        merged["direct"] = {"tags": [tags[2].n, tags[3].n], "seconds": round(time.perf_counter() - started, 1)}
    merged["load"] = load()

    # As an editor would: the article list filtered by an author of about `bulk_articles` articles,
    # "Select all", then the action (more than a page of ids is never posted one by one).
    author = (
        Author.objects.annotate(n=Count("articles"))
        .order_by(Func(F("n") - bulk_articles, function="ABS"), "pk")
        .first()
    )
    ids = list(Article.objects.published().filter(author=author).values_list("id", flat=True))
    listing = f"/admin/articles/article/?author={author.pk}"
    if len(ids) <= settings.JOB_BULK_INLINE_MAX:  # a small archive: the whole list, so that it is a job
        ids, listing = list(Article.objects.published().values_list("id", flat=True)), "/admin/articles/article/"
    if len(ids) <= settings.JOB_BULK_INLINE_MAX:  # done in the request: no job to time
        ids = []
    runs = {}
    for action in ("unpublish", "publish") if ids else ():
        log(f"{action} {len(ids):,} articles ({listing}) in the admin (load {load()})")
        client.get(listing)
        # "post": the confirmation page's answer ("Select all" + unpublish is confirmed first).
        selection = {"action": action, "select_across": "1", "index": "0", "_selected_action": ids[:1], "post": "yes"}
        response = admin_post(client, listing, selection)
        job = Job.objects.filter(kind="bulk").latest("created_at")
        runs[action] = {"response_seconds": round(response, 3), "load_before_job": load()}
        runs[action]["job"] = job_result(job, run_worker(env, 2))
    for action in ("unpublish", "publish") if ids else ():
        log(f"{action} {len(ids):,} articles directly, in one transaction (load {load()})")
        started = time.perf_counter()
        bulk.run(action, ids, user=user.pk, now=timezone.now())
        runs[action]["direct_seconds"] = round(time.perf_counter() - started, 1)
    return {
        "merge": merged,
        "bulk": runs,
        "bulk_articles": len(ids),
        "bulk_list": listing,
        "load": load(),
    }


def print_table(result):
    s, m, i, c = result.get("saves"), result.get("memory"), result.get("ingest"), result.get("curation")
    lines = [f"load average at start {result['load_start']}, at end {result['load_end']}"]
    if s:
        job = s["relink_job"]
        lines += [
            f"alias added to “{s['entity']}” ({s['entity_articles']:,} articles): answered in "
            f"{s['alias_save_seconds']:.3f} s; its job re-linked {job['articles']:,} articles in "
            f"{job['seconds']:.1f} s ({job['parts']} parts, 2 worker processes)",
            f"article save answered in {s['article_save_seconds']:.3f} s; its extraction job took "
            f"{s['extract_job_seconds']:.2f} s; spaCy imported by the web process: {s['spacy_in_this_process']}",
        ]
    if m:
        growth = ", ".join(f"{w['fresh_mib']} -> {w['after_mib']} MiB" for w in m["workers"])
        lines.append(
            f"{m['saves']} article saves over HTTP answered in median {m['save_median_seconds']:.3f} s, "
            f"max {m['save_max_seconds']:.3f} s (the article list they lead to: median "
            f"{m['list_after_save_median_seconds']:.3f} s, max {m['list_after_save_max_seconds']:.3f} s); "
            f"gunicorn workers after them: {growth}; spaCy mapped: {m['spacy_mapped']}"
        )
    if i:
        w = i["words_per_s"]
        lines.append(
            f"NER ingest, {i['files_per_run']} files per run, words/s: model alone {i['model_words_per_s'][1]:,} / "
            f"{i['model_words_per_s'][2]:,} (1 / 2 processes, x{i['model_speedup']}); direct --workers 2 "
            f"{w['direct-2']:,}; queued {w['queued-1']:,} / {w['queued-2']:,} over the parts (1 / 2 workers, "
            f"x{i['queue_speedup']}, {i['share_of_model_speedup']:.0%} of the model's); queued with 2 workers end "
            f"to end {w['queued-2-end-to-end']:,}, against direct-2: {i['overhead_vs_direct_2']:+.1%} slower "
            f"(load at the start of direct / queued-2 / queued-1: {i['load_at_start']['direct-2']} / "
            f"{i['load_at_start']['queued-2']} / {i['load_at_start']['queued-1']})"
        )
    if c:
        g = c["merge"]
        lines.append(
            f"merging tags of {g['tags'][1]:,} and {g['tags'][0]:,} articles in the admin: answered in "
            f"{g['response_seconds']:.3f} s; its job {g['job']['seconds']:.1f} s ({g['job']['parts']} parts, "
            f"2 worker processes)"
        )
        if "direct" in g:
            lines.append(
                f"merging tags of {g['direct']['tags'][1]:,} and {g['direct']['tags'][0]:,} articles directly, "
                f"in one transaction (as the request did before): {g['direct']['seconds']:.1f} s"
            )
        for action, run in c["bulk"].items():
            lines.append(
                f"{action} {c['bulk_articles']:,} articles in the admin: answered in {run['response_seconds']:.3f} s; "
                f"its job {run['job']['seconds']:.1f} s ({run['job']['parts']} parts); directly "
                f"{run['direct_seconds']:.1f} s"
            )
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a loaded archive (it is written to)")
    parser.add_argument("--saves", type=int, default=50, help="article saves over HTTP for the memory step")
    parser.add_argument("--ingest-files", type=int, default=400, help="files per ingest run (0 skips)")
    parser.add_argument("--part-size", type=int, default=50, help="files per part of a queued ingest")
    parser.add_argument("--port", type=int, default=8731, help="gunicorn's port for the memory step")
    parser.add_argument("--skip-saves", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--bulk-articles", type=int, default=1000, help="step 4: articles per bulk action (0: skip)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--json", type=Path, help="write every number here")
    args = parser.parse_args(argv)
    if bench_ingest.database_name(args.database_url) == "newsroom_100k":
        parser.error("never write to newsroom_100k: benchmark a copy of it")
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": localenv.ensure_postgres(args.database_url), "HTTPS": "0", "DEBUG": ""}
    env["SECRET_KEY"] = env.get("SECRET_KEY") or localenv.ensure_secret_key()
    env["JOBS_INLINE"] = "0"
    result = {"load_start": load()}
    user = setup(env)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    if not args.skip_saves:
        result["saves"] = bench_saves(env, user)
    if not args.skip_memory:
        result["memory"] = bench_memory(env, args.saves, args.port)
    if args.ingest_files:
        result["ingest"] = bench_ingest_runs(env, args.ingest_files, args.part_size, args.workdir)
    if args.bulk_articles:
        result["curation"] = bench_curation(env, user, args.bulk_articles)
    result["load_end"] = load()
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()

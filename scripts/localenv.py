#!/usr/bin/env python3
"""Prepare the local environment, then run a command in it.

    python scripts/localenv.py -- COMMAND [ARG ...]
    python scripts/localenv.py --stop        # stop the project-local cluster, if running

1. PostgreSQL: if a server answers at DATABASE_URL (default postgres:///newsroom,
   the machine's Unix socket), use it. If none answers and the URL is local, start
   a project-local cluster from the installed PostgreSQL binaries, with its data in
   var/postgres/ (run as the `postgres` user when invoked as root, since PostgreSQL
   refuses to run as root), and point DATABASE_URL at it. A remote URL that does not
   answer is an error. The database itself is created if missing.
   The cluster trusts whoever connects (no passwords, a superuser role for the
   current user), so it listens on no TCP port at all: only on a Unix socket in
   var/postgres/run/, a folder (and socket) only the cluster's owner may open (and
   root, who runs it as `postgres`). Other users of the machine cannot reach it.
2. SECRET_KEY: if unset, a random key is created once in var/secret_key, with mode
   600 from the moment it exists, and reused, so sessions survive restarts.
3. HTTPS=0 unless set: the site is served over plain http on the loopback, so the
   production defaults (redirect to https, Secure cookies, HSTS) are off.

The command then runs with DATABASE_URL, SECRET_KEY and HTTPS in its environment.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
CLUSTER = VAR / "postgres"
DATA_DIR = CLUSTER / "data"
SOCKET_DIR = CLUSTER / "run"
LOG_FILE = CLUSTER / "server.log"
DEFAULT_URL = "postgres:///newsroom"
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def log(message):
    print(f"localenv: {message}", file=sys.stderr, flush=True)


def parse_url(url):
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"localenv: DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    # Not parts.hostname: it lower-cases, which breaks socket paths ("%2Fvar%2Frun").
    host = parts.netloc.rpartition("@")[2]
    if parts.port is not None:
        host = host.rpartition(":")[0]
    return {
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "host": unquote(host).strip("[]"),
        "port": parts.port or 5432,
        "dbname": unquote(parts.path.lstrip("/")) or "newsroom",
    }


def connect_kwargs(info, dbname):
    kwargs = {"dbname": dbname, "port": info["port"], "connect_timeout": 3}
    for key in ("user", "password", "host"):
        if info[key]:
            kwargs[key] = info[key]
    return kwargs


def server_answers(info):
    try:
        psycopg2.connect(**connect_kwargs(info, "postgres")).close()
    except psycopg2.OperationalError as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
    return None


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    sys.exit(f"localenv: cannot find the PostgreSQL program {name!r}; install PostgreSQL.")


def as_cluster_owner(args):
    """Run a PostgreSQL program, as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def start_local_cluster(info):
    """Start (initialising if needed) the cluster in var/postgres; return connection info."""
    CLUSTER.mkdir(parents=True, exist_ok=True)
    prepare_socket_dir(SOCKET_DIR)
    if os.geteuid() == 0:
        shutil.chown(CLUSTER, "postgres", "postgres")
        shutil.chown(SOCKET_DIR, "postgres", "postgres")
    if not (DATA_DIR / "PG_VERSION").exists():
        log(f"initialising a project-local PostgreSQL cluster in {DATA_DIR}")
        subprocess.run(
            as_cluster_owner([pg_bin("initdb"), "-D", str(DATA_DIR), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = info["port"]
    log(f"starting the project-local PostgreSQL cluster (socket only, in {SOCKET_DIR}, number {port})")
    subprocess.run(
        as_cluster_owner(
            [pg_bin("pg_ctl"), "-D", str(DATA_DIR), "-l", str(LOG_FILE), "-o", server_options(port), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    local = dict(info, host=str(SOCKET_DIR))
    # The cluster only knows the `postgres` role; add one for the connecting user.
    role = info["user"] or os.environ.get("PGUSER") or _os_user()
    conn = psycopg2.connect(**connect_kwargs(dict(local, user="postgres", password=None), "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(role)))
    conn.close()
    return local


def server_options(port):
    """The project-local server's options: no TCP at all (it trusts whoever connects), one
    Unix socket that only its owner may open."""
    return f"-p {port} -k {SOCKET_DIR} -c listen_addresses='' -c unix_socket_permissions=0700"


def prepare_socket_dir(path):
    """The socket's folder, readable and enterable by its owner alone."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def _os_user():
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def local_cluster_running():
    return (DATA_DIR / "postmaster.pid").exists() and subprocess.run(
        as_cluster_owner([pg_bin("pg_ctl"), "-D", str(DATA_DIR), "status"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ).returncode == 0


def ensure_database(info):
    conn = psycopg2.connect(**connect_kwargs(info, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [info["dbname"]])
        if cur.fetchone() is None:
            log(f"creating database {info['dbname']!r}")
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(info["dbname"])))
    conn.close()


def build_url(info):
    auth = ""
    if info["user"]:
        auth = quote(info["user"], safe="")
        if info["password"]:
            auth += ":" + quote(info["password"], safe="")
        auth += "@"
    host = info["host"]
    if host.startswith("/"):
        host = quote(host, safe="")
    elif ":" in host:
        host = f"[{host}]"
    return f"postgres://{auth}{host}:{info['port']}/{quote(info['dbname'], safe='')}"


def ensure_postgres(url):
    info = parse_url(url)
    problem = server_answers(info)
    if problem is None:
        ensure_database(info)
        return url
    if info["host"] not in LOCAL_HOSTS and not info["host"].startswith("/"):
        sys.exit(f"localenv: no PostgreSQL server answers at {info['host']}:{info['port']} ({problem}).")
    log(f"no PostgreSQL server answers at DATABASE_URL ({problem})")
    if local_cluster_running():
        local = dict(info, host=str(SOCKET_DIR))
    else:
        local = start_local_cluster(info)
    for _ in range(50):
        if server_answers(local) is None:
            break
        time.sleep(0.2)
    ensure_database(local)
    return build_url(local)


def ensure_secret_key():
    """The key in var/secret_key, made the first time: created with mode 600, never
    readable by others even for a moment (whatever the umask)."""
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it just now
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def stop_local_cluster():
    if local_cluster_running():
        subprocess.run(as_cluster_owner([pg_bin("pg_ctl"), "-D", str(DATA_DIR), "-m", "fast", "stop"]), check=True)
    else:
        log("the project-local cluster is not running")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stop", action="store_true", help="stop the project-local PostgreSQL cluster")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run (after --)")
    args = parser.parse_args(argv)
    if args.stop:
        stop_local_cluster()
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    env = dict(os.environ)
    env["DATABASE_URL"] = ensure_postgres(env.get("DATABASE_URL") or DEFAULT_URL)
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = ensure_secret_key()
    # Local runs serve plain http://127.0.0.1: no redirect to https, no Secure-only cookies.
    env.setdefault("HTTPS", "0")
    if not command:
        print(env["DATABASE_URL"])
        return
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main()

"""scripts/localenv.py: what it makes on disk and how its project-local cluster listens."""

import importlib.util
import os
import stat
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def localenv(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("localenv_under_test", ROOT / "scripts" / "localenv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VAR", tmp_path / "var")
    return module


def test_the_secret_key_file_is_private_from_the_moment_it_exists(localenv, tmp_path, monkeypatch):
    # A permissive umask, and no chmod afterwards: the mode must come from the creation itself.
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    old_umask = os.umask(0)
    try:
        key = localenv.ensure_secret_key()
    finally:
        os.umask(old_umask)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50 and localenv.ensure_secret_key() == key  # made once, then reused


def test_the_project_local_cluster_listens_on_its_own_private_socket_only(localenv, tmp_path):
    options = localenv.server_options(5432)
    assert "listen_addresses=''" in options  # no TCP: the cluster trusts whoever connects
    assert "unix_socket_permissions=0700" in options
    assert f"-k {localenv.SOCKET_DIR}" in options
    socket_dir = tmp_path / "run"
    socket_dir.mkdir(mode=0o777)
    localenv.prepare_socket_dir(socket_dir)
    assert stat.S_IMODE(socket_dir.stat().st_mode) == 0o700

"""Cached, checksummed downloads against a local HTTP server (no internet needed).

The server runs on 127.0.0.1 in a thread; each test scripts its answers (a status and a
body per request, the last one repeating) and counts the requests it receives.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from clusterix.errors import DataSourceError
from clusterix.ingest.downloads import RemoteFile, fetch, sha256_of

BODY = b"freq,unit,geo\\TIME_PERIOD\t2019 \t2020 \nA,NR,DE11\t12.3 p\t: c\n"


@dataclass
class LocalServer:
    """A scripted HTTP server: ``answers[path]`` is a list of (status, body), the last repeating."""

    url: str
    answers: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def answer(self, path: str, *responses: tuple[int, bytes]) -> str:
        """Script the answers for ``path`` (with its query string) and return its full URL."""
        self.answers[path] = list(responses)
        return self.url + path


@contextmanager
def serve() -> Iterator[LocalServer]:
    """Run a :class:`LocalServer` on a free port of 127.0.0.1 for the duration of the block."""
    state = LocalServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.requests.append(self.path)
            script = state.answers.get(self.path)
            status, body = (404, b"not found") if not script else script[0]
            if script and len(script) > 1:
                script.pop(0)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def refused_url() -> str:
    """A URL on a local port nobody listens on: connecting is refused, as when offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/data.tsv"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


def test_first_fetch_downloads_and_records_the_checksum(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    path = fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    assert path == tmp_path / "data.tsv"
    assert path.read_bytes() == BODY
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest == {"data.tsv": {"url": url, "sha256": hashlib.sha256(BODY).hexdigest()}}
    assert not list(tmp_path.glob("*.partial"))


def test_a_cached_file_is_used_without_a_request(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    first = fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    second = fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    assert first == second
    assert server.requests == ["/data.tsv"]


def test_a_damaged_cached_file_is_downloaded_again(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    path = fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    path.write_bytes(b"damaged")
    assert fetch(RemoteFile("data.tsv", url), folder=tmp_path).read_bytes() == BODY
    assert len(server.requests) == 2


def test_the_published_checksum_is_checked(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    good = RemoteFile("data.tsv", url, sha256=hashlib.sha256(BODY).hexdigest())
    assert sha256_of(fetch(good, folder=tmp_path)) == good.sha256


def test_a_checksum_mismatch_raises_and_keeps_nothing(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    wrong = RemoteFile("data.tsv", url, sha256="0" * 64)
    with pytest.raises(DataSourceError) as raised:
        fetch(wrong, folder=tmp_path)
    message = str(raised.value)
    assert url in message
    assert "expected " + "0" * 64 in message
    assert "not kept" in message
    assert not (tmp_path / "data.tsv").exists()
    assert not list(tmp_path.glob("*.partial"))
    assert not (tmp_path / "manifest.json").exists()


def test_a_changed_file_on_the_server_does_not_replace_the_recorded_one(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (200, BODY))
    path = fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    path.unlink()
    server.answer("/data.tsv", (200, BODY + b"A,NR,FR10\t1 \t2 \n"))
    with pytest.raises(DataSourceError, match="not kept"):
        fetch(RemoteFile("data.tsv", url), folder=tmp_path)
    assert not path.exists()


def test_a_503_is_retried(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (503, b"busy"), (200, BODY))
    path = fetch(RemoteFile("data.tsv", url), folder=tmp_path, backoff=0)
    assert path.read_bytes() == BODY
    assert server.requests == ["/data.tsv", "/data.tsv"]


def test_a_server_that_stays_unavailable_raises_after_the_retries(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (503, b"busy"))
    with pytest.raises(DataSourceError, match="after 2 attempts") as raised:
        fetch(RemoteFile("data.tsv", url), folder=tmp_path, retries=2, backoff=0)
    assert "503" in str(raised.value)
    assert len(server.requests) == 2
    assert not list(tmp_path.glob("data.tsv*"))


def test_a_missing_file_is_not_retried(server, tmp_path) -> None:
    url = server.answer("/data.tsv", (404, b"no such dataset"))
    with pytest.raises(DataSourceError, match="HTTP 404") as raised:
        fetch(RemoteFile("data.tsv", url), folder=tmp_path, backoff=0)
    assert "Check the dataset code" in str(raised.value)
    assert server.requests == ["/data.tsv"]


def test_offline_says_so_and_how_to_use_a_local_copy(tmp_path) -> None:
    url = refused_url()
    with pytest.raises(DataSourceError) as raised:
        fetch(RemoteFile("data.tsv", url), folder=tmp_path, retries=2, backoff=0)
    message = str(raised.value)
    assert f"Cannot download {url} after 2 attempts" in message
    assert "offline" in message
    assert "local copy" in message
    assert not list(tmp_path.glob("data.tsv*"))


def test_the_cache_folder_comes_from_the_environment(server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERIX_DATA_DIR", str(tmp_path / "cache"))
    url = server.answer("/data.tsv", (200, BODY))
    assert fetch(RemoteFile("data.tsv", url)) == tmp_path / "cache" / "data.tsv"


def test_refused_url_is_really_refused() -> None:
    # Guards the offline test: the probe port must not be served by anything.
    url = refused_url()
    port = int(url.split(":")[2].split("/")[0])
    with socket.socket() as client, pytest.raises(ConnectionRefusedError):
        client.connect(("127.0.0.1", port))


def test_served_files_are_byte_exact(server, tmp_path) -> None:
    body = bytes(range(256)) * 5000  # binary, over one read block
    url = server.answer("/blob.gz", (200, body))
    assert Path(fetch(RemoteFile("blob.gz", url), folder=tmp_path)).read_bytes() == body

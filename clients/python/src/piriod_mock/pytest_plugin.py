"""The `piriod_mock` pytest fixture. With PIRIOD_MOCK_URL set it uses that running emulator (a CI sidecar);
otherwise it starts one for the session — `npx piriod-mock --port 0 --db :memory:`, or PIRIOD_MOCK_COMMAND — and
stops it at the end. Either way each test gets a workspace of its own, so tests, parallel workers and shards never
see each other. PIRIOD_MOCK_TOKEN (default tok_pytest) is the token in `headers`; PIRIOD_MOCK_ADMIN_TOKEN the
admin token, when the emulator has one."""
import os
import re
import shlex
import subprocess
import threading
import uuid

import pytest

from .client import PiriodMock

LISTENING = re.compile(r"piriod-mock listening on (\S+)")


class _Emulator:
    """An emulator this session started: its URL from the line it writes on stderr once it listens."""

    def __init__(self, command):
        self.process = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url = None
        lines = []
        for line in self.process.stderr:
            lines.append(line)
            found = LISTENING.search(line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.process.wait(timeout=10)
            raise RuntimeError("piriod-mock did not start (%s): %s" % (command, "".join(lines).strip()))
        # keep reading stderr, so the emulator never blocks on a full pipe
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def piriod_mock_url():
    """The URL of the emulator the session's tests share."""
    url = os.environ.get("PIRIOD_MOCK_URL")
    if url:
        yield url.rstrip("/")
        return
    emulator = _Emulator(os.environ.get("PIRIOD_MOCK_COMMAND", "npx --yes piriod-mock --port 0 --db :memory:"))
    try:
        yield emulator.url
    finally:
        emulator.stop()


class PiriodMockFixture(PiriodMock):
    """The client, for a workspace of this test's own, with the headers a client under test must send."""

    def __init__(self, url, workspace, token, admin_token):
        super().__init__(url, workspace=workspace, admin_token=admin_token)
        self.token = token

    @property
    def headers(self):
        return {"authorization": "Token " + self.token, **self.partition_headers}


@pytest.fixture
def piriod_mock(piriod_mock_url, request):
    """A fresh workspace on the shared emulator: `url`, `workspace`, `headers`, and the client's methods."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)[:40]
    workspace = "pytest_%s_%s" % (name, uuid.uuid4().hex[:12])
    return PiriodMockFixture(piriod_mock_url, workspace, os.environ.get("PIRIOD_MOCK_TOKEN", "tok_pytest"), os.environ.get("PIRIOD_MOCK_ADMIN_TOKEN"))

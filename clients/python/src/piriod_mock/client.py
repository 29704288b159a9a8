"""A client of piriod-mock's admin API (/__admin), the Node helpers' twin: every call works on the client's workspace
and mode (the partition headers), so tests in different workspaces never see each other. Standard library only."""
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime


class PiriodMockError(Exception):
    """An admin call the emulator refused: the status and the body it answered."""

    def __init__(self, status, body):
        super().__init__("piriod-mock answered %s: %s" % (status, json.dumps(body)))
        self.status = status
        self.body = body


class Clock:
    """The emulator's clock, as a test moves it (POST /__admin/clock): one for the whole emulator."""

    def __init__(self, mock):
        self._mock = mock

    def now(self):
        return self._mock._call("GET", "/__admin/clock", scoped=False)["now"]

    def set(self, when):
        """Moves the clock to `when` (an ISO-8601 instant or a datetime; never backwards)."""
        if isinstance(when, datetime):
            when = when.isoformat().replace("+00:00", "Z")
        return self._mock._call("POST", "/__admin/clock", {"now": when}, scoped=False)["now"]

    def advance(self, ms):
        return self._mock._call("POST", "/__admin/clock", {"advance_ms": ms}, scoped=False)["now"]

    def reset(self):
        return self._mock._call("POST", "/__admin/clock", {"reset": True}, scoped=False)["now"]


class PiriodMock:
    """piriod-mock at `url`, for the partition (workspace, test_mode); admin_token when it is set."""

    def __init__(self, url, workspace, test_mode=False, admin_token=None, timeout=60):
        self.url = url.rstrip("/")
        self.workspace = workspace
        self.test_mode = test_mode
        self.admin_token = admin_token
        self.timeout = timeout
        self.clock = Clock(self)

    @property
    def partition_headers(self):
        """The headers that name the client's partition: what a client under test sends with its token."""
        return {"x-simple-workspace": self.workspace, "x-piriod-test-mode": "true" if self.test_mode else "false"}

    def _call(self, method, path, body=None, scoped=True, timeout=None):
        headers = dict(self.partition_headers) if scoped else {}
        if self.admin_token is not None:
            headers["authorization"] = "Token " + self.admin_token
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                return json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
            raise PiriodMockError(err.code, parsed) from None

    # ---- payments

    def create_payment(self, amount, id=None, refund_outcome=None):
        """A payment in the client's partition; `amount` a number or a decimal string ("12.50")."""
        body = {"amount": amount}
        if id is not None:
            body["id"] = id
        if refund_outcome is not None:
            body["refund_outcome"] = refund_outcome
        return self._call("POST", "/__admin/payments", body)

    def payment(self, id):
        """The payment with its refunds, oldest first, or None when the partition has no such payment."""
        try:
            return self._call("GET", "/__admin/payments/%d" % id)
        except PiriodMockError as err:
            if err.status == 404:
                return None
            raise

    def payments(self):
        """The partition's payments, every page of them."""
        out, page = [], 1
        while True:
            answer = self._call("GET", "/__admin/payments?page=%d&page_size=100" % page)
            out.extend(answer["results"])
            if answer["next"] is None:
                return out
            page += 1

    # ---- the journal

    def requests(self, method=None, path=None, status=None, limit=100):
        """Journal entries of the partition, newest first: `limit` of them, however many pages that takes."""
        entries, before = [], None
        while True:
            query = {k: v for k, v in (("method", method), ("path", path), ("status", status)) if v is not None}
            query["limit"] = limit - len(entries)
            if before is not None:
                query["before"] = before
            page = self._call("GET", "/__admin/requests?" + urllib.parse.urlencode(query))
            entries.extend(page["results"])
            if page["next"] is None or len(entries) >= limit:
                return entries
            before = entries[-1]["id"]

    def clear_requests(self):
        return self._call("DELETE", "/__admin/requests")["deleted"]

    def verify(self, match=None, exactly=None, at_least=None, at_most=None, wait_ms=0):
        """Asserts on what the client sent: the count of matching requests, or an AssertionError whose message
        says what was expected, how many matched and the closest requests field by field. With wait_ms it waits
        for them instead of sleeping (at_least: as soon as they came; exactly and at_most: when the time is up)."""
        given = [(k, v) for k, v in (("exactly", exactly), ("at_least", at_least), ("at_most", at_most)) if v is not None]
        if len(given) > 1:
            raise ValueError("give one of exactly, at_least or at_most")
        count = dict(given) if given else {"at_least": 1}
        verdict = self._call("POST", "/__admin/requests/verify", {"match": match or {}, "count": count, "wait_ms": wait_ms},
                             timeout=self.timeout + wait_ms / 1000)
        if not verdict["ok"]:
            raise AssertionError(verdict["message"])
        return verdict["count"]

    # ---- faults, snapshots, reset

    def add_fault(self, action, match=None, times=1):
        """A fault rule for the partition's requests, e.g. add_fault({"status": 503, "after_commit": True})."""
        body = {"action": action, "times": times}
        if match is not None:
            body["match"] = match
        return self._call("POST", "/__admin/faults", body)

    def faults(self):
        return self._call("GET", "/__admin/faults")["results"]

    def clear_faults(self):
        return self._call("DELETE", "/__admin/faults")["deleted"]

    def snapshot(self):
        return self._call("GET", "/__admin/snapshot")

    def restore(self, document):
        return self._call("POST", "/__admin/snapshot", document)

    def reset(self):
        return self._call("POST", "/__admin/reset")

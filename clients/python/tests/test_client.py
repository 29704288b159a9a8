"""The client and the fixture against a real emulator: the one the session started (PIRIOD_MOCK_COMMAND), or the one
at PIRIOD_MOCK_URL. Every test makes real refunds with urllib, as a client under test would."""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from piriod_mock import PiriodMock, PiriodMockError


def refund(mock, **body):
    """POST /refunds/ as the client under test: (status, parsed body)."""
    request = urllib.request.Request(mock.url + "/refunds/", data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={**mock.headers, "content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_fixture_attributes(piriod_mock):
    assert piriod_mock.url.startswith("http://")
    assert piriod_mock.workspace.startswith("pytest_test_fixture_attributes_")
    assert piriod_mock.headers["x-simple-workspace"] == piriod_mock.workspace
    assert piriod_mock.headers["authorization"].startswith("Token ")
    assert piriod_mock.headers["x-piriod-test-mode"] == "false"


def test_a_refund_and_its_verification(piriod_mock):
    piriod_mock.create_payment(id=7, amount="100.00")
    status, body = refund(piriod_mock, payment=7, amount=30, reason="duplicate", receipt="R-1")
    assert status == 201, body
    assert body["amount"] == 30 or body["amount"] == "30.00"
    # decimals compare as decimals: 30, 30.0 and "30.00" are the same amount
    assert piriod_mock.verify({"method": "POST", "path": "/refunds/", "body": {"amount": "30.00"}}) == 1
    assert piriod_mock.verify({"body": {"amount": 30.0}, "status": "2xx"}, exactly=1) == 1
    assert piriod_mock.verify({"path": "/refunds/", "status": 400}, at_most=0) == 0
    payment = piriod_mock.payment(7)
    assert payment["balance"] == 70
    assert [r["receipt"] for r in payment["refunds"]] == ["R-1"]


def test_a_failed_verification_names_the_near_miss(piriod_mock):
    piriod_mock.create_payment(id=8, amount=10)
    status, body = refund(piriod_mock, payment=8, amount="30.01", reason="duplicate", receipt="R-1")
    assert status == 400
    assert "amount" in body
    with pytest.raises(AssertionError) as failed:
        piriod_mock.verify({"method": "POST", "path": "/refunds/", "body": {"amount": "30.00"}})
    message = str(failed.value)
    assert message.startswith("Expected at least 1 request matching POST /refunds/ body.amount=30.00; got 0.")
    assert "POST /refunds/ 400" in message
    assert "body.amount expected 30.00, was 30.01" in message


def test_count_forms(piriod_mock):
    piriod_mock.create_payment(id=9, amount=100)
    for receipt in ("R-1", "R-2"):
        assert refund(piriod_mock, payment=9, amount=1, reason="duplicate", receipt=receipt)[0] == 201
    assert piriod_mock.verify({"path": "/refunds/"}, exactly=2) == 2
    assert piriod_mock.verify({"path": "/refunds/"}, at_least=2) == 2
    assert piriod_mock.verify({"path": "/refunds/"}, at_most=2) == 2
    with pytest.raises(AssertionError, match="Expected exactly 1 request"):
        piriod_mock.verify({"path": "/refunds/"}, exactly=1)
    with pytest.raises(ValueError):
        piriod_mock.verify({}, exactly=1, at_least=1)
    # a bad verify body is the emulator's field-keyed 400
    with pytest.raises(PiriodMockError) as refused:
        piriod_mock.verify({}, wait_ms=30001)
    assert refused.value.status == 400
    assert "wait_ms" in refused.value.body


def test_verify_waits_for_a_request_sent_later(piriod_mock):
    piriod_mock.create_payment(id=10, amount=100)
    later = threading.Timer(0.3, lambda: refund(piriod_mock, payment=10, amount=5, reason="duplicate", receipt="R-1"))
    later.start()
    started = time.monotonic()
    try:
        assert piriod_mock.verify({"path": "/refunds/", "status": 201}, wait_ms=10000) == 1
    finally:
        later.join()
    waited = time.monotonic() - started
    assert 0.2 < waited < 9, waited  # it answered when the refund came, not when the time was up


def test_payments_and_a_missing_payment(piriod_mock):
    assert piriod_mock.payment(404) is None
    piriod_mock.create_payment(id=1, amount=5)
    piriod_mock.create_payment(id=2, amount="7.50", refund_outcome="failed")
    assert sorted(p["id"] for p in piriod_mock.payments()) == [1, 2]
    with pytest.raises(PiriodMockError) as taken:
        piriod_mock.create_payment(id=1, amount=5)
    assert taken.value.status == 409


def test_requests_faults_snapshot_and_reset(piriod_mock):
    piriod_mock.create_payment(id=11, amount=50)
    piriod_mock.add_fault({"status": 503}, match={"path": "/refunds/"})
    assert len(piriod_mock.faults()) == 1
    status, _ = refund(piriod_mock, payment=11, amount=5, reason="duplicate", receipt="R-1")
    assert status == 503
    [used] = piriod_mock.faults()  # times=1: used up, and still listed
    assert (used["active"], used["fired"]) == (False, 1)
    assert refund(piriod_mock, payment=11, amount=5, reason="duplicate", receipt="R-2")[0] == 201
    entries = piriod_mock.requests(path="/refunds/")
    assert [e["response"]["status"] for e in entries] == [201, 503]  # newest first
    assert len(piriod_mock.requests(path="/refunds/", limit=1)) == 1

    document = piriod_mock.snapshot()
    assert [p["id"] for p in document["payments"]] == [11]
    piriod_mock.reset()
    assert piriod_mock.payment(11) is None
    piriod_mock.restore(document)
    assert piriod_mock.payment(11)["balance"] == 45

    piriod_mock.add_fault({"status": 500})
    assert piriod_mock.clear_faults() == 2
    assert piriod_mock.faults() == []
    assert piriod_mock.clear_requests() >= 2
    assert piriod_mock.requests() == []


def test_the_clock(piriod_mock):
    try:
        now = piriod_mock.clock.set("2031-01-01T00:00:00Z")
        assert now.startswith("2031-01-01T00:00:00")
        assert piriod_mock.clock.advance(60000).startswith("2031-01-01T00:01:00")
        piriod_mock.create_payment(id=12, amount=5)
        status, body = refund(piriod_mock, payment=12, amount=1, reason="duplicate", receipt="R-1")
        assert status == 201
        assert body["created"].startswith("2031-01-01T00:01:00")
    finally:
        piriod_mock.clock.reset()
    assert not piriod_mock.clock.now().startswith("2031")


def test_a_workspace_of_its_own_first(piriod_mock):
    """This and the next test use the same payment id in the same emulator; each sees only its own."""
    piriod_mock.create_payment(id=77, amount=10)
    assert refund(piriod_mock, payment=77, amount=10, reason="duplicate", receipt="R-1")[0] == 201
    assert piriod_mock.verify({"path": "/refunds/"}, exactly=1) == 1


def test_a_workspace_of_its_own_second(piriod_mock):
    assert piriod_mock.payment(77) is None
    assert piriod_mock.requests() == []
    piriod_mock.create_payment(id=77, amount=10)
    assert refund(piriod_mock, payment=77, amount=10, reason="duplicate", receipt="R-1")[0] == 201
    assert piriod_mock.verify({"path": "/refunds/"}, exactly=1) == 1


def test_test_mode_is_a_partition_too(piriod_mock):
    test = PiriodMock(piriod_mock.url, workspace=piriod_mock.workspace, test_mode=True, admin_token=piriod_mock.admin_token)
    test.create_payment(id=5, amount=1)
    assert piriod_mock.payment(5) is None
    assert test.payment(5)["amount"] in (1, "1.00")

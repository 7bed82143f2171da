"""Parsing and filtering the component's events."""

import json
import time

import pytest

from desklit_auth import ON_ACTION_REQUEST, ON_ERROR, ON_STATUS_UPDATE, ComponentEvent

SECRET = "eyJ.SECRET-TOKEN-VALUE.sig"


def status_event(seq=1, **over):
    data = {"hostname": "desklit", "message": "Signed in", "isError": False, "error": None,
            "sessioninfo": {"user": {"user": "auth0|1", "name": "Ada", "email": "ada@example.com"},
                            "token": {"value": SECRET, "value_id_token": "id.tok.en",
                                      "expiry": int(time.time()) + 3600}}}
    data.update(over)
    return {"event": ON_STATUS_UPDATE, "seq": seq, "data": data}


def test_none_is_no_event():
    assert ComponentEvent.parse(None) is None


def test_signed_in_status():
    ev = ComponentEvent.parse(status_event())
    assert ev.name == ON_STATUS_UPDATE and ev.seq == 1 and ev.rejected is None
    s = ev.status.session
    assert s.user.name == "Ada" and s.user.email == "ada@example.com" and s.user.user == "auth0|1"
    assert s.token.value == SECRET and s.token.expiry.tzinfo is not None


@pytest.mark.parametrize("expiry", ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00",
                                    1893456000, 1893456000.5, "1893456000"])
def test_expiry_iso_or_epoch(expiry):
    ev = status_event()
    ev["data"]["sessioninfo"]["token"]["expiry"] = expiry
    got = ComponentEvent.parse(ev).status.session.token.expiry
    assert got.year == 2030 and got.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("sessioninfo", [
    None, "absent", {"user": None, "token": None}, {"user": None},
    {"user": {"user": "u", "name": "n", "email": "e"}, "token": {"value": None}},
    {"user": {"user": "u", "name": "n", "email": "e"}},
])
def test_signed_out_shapes(sessioninfo):
    ev = status_event()
    if sessioninfo == "absent":
        del ev["data"]["sessioninfo"]
    else:
        ev["data"]["sessioninfo"] = sessioninfo
    parsed = ComponentEvent.parse(ev)
    assert parsed.name == ON_STATUS_UPDATE
    assert parsed.status.session is None and not parsed.status.signed_in


def test_error_status_is_kept():
    ev = ComponentEvent.parse(status_event(isError=True, error="keyring locked",
                                           sessioninfo=None))
    assert ev.status.is_error and ev.status.error == "keyring locked"


def test_json_string_and_legacy_name_key():
    ev = ComponentEvent.parse(json.dumps(status_event()))
    assert ev.name == ON_STATUS_UPDATE
    legacy = {"name": ON_ERROR, "data": {"message": "boom", "error": "E1"}}
    ev = ComponentEvent.parse(legacy)
    assert ev.name == ON_ERROR and ev.message == "boom" and ev.error == "E1" and ev.seq is None


def test_error_event():
    ev = ComponentEvent.parse({"event": ON_ERROR, "seq": 3,
                               "data": {"message": "session stream lost",
                                        "error": {"name": "NetworkError", "message": "x"}}})
    assert ev.name == ON_ERROR and ev.rejected is None and ev.seq == 3
    assert ev.message == "session stream lost" and ev.error == "x"


def test_action_request():
    ev = ComponentEvent.parse({"event": ON_ACTION_REQUEST, "seq": 2,
                               "data": {"action": "WebRequest", "props": {"url": "/api/ping"}}})
    assert ev.name == ON_ACTION_REQUEST and ev.data["action"] == "WebRequest"


@pytest.mark.parametrize("value,reason", [
    ({"event": "onAdhocReport", "seq": 1, "data": {"token": SECRET}}, "not allowed"),
    ({"event": "x" * 500, "data": {}}, "not allowed"),
    ({"seq": 1, "data": {}}, "no name"),
    ({"event": 42, "data": {}}, "no name"),
    ({"event": "", "data": {}}, "no name"),
    ("{not json", "not valid JSON"),
    ([1, 2, 3], "not an object"),
    (17, "not an object"),
    ({"event": ON_STATUS_UPDATE, "data": [SECRET]}, "data of onStatusUpdate"),
    ({"event": ON_STATUS_UPDATE, "data": {"sessioninfo": SECRET}}, "sessioninfo is not"),
    ({"event": ON_STATUS_UPDATE, "data": {"sessioninfo": {"user": "ada"}}}, "user is not"),
    ({"event": ON_STATUS_UPDATE, "data": {"sessioninfo": {"user": {"name": 5},
                                                          "token": {"value": SECRET}}}},
     "name is not"),
    ({"event": ON_STATUS_UPDATE, "data": {"sessioninfo": {"user": {"name": "a"},
                                                          "token": SECRET}}}, "token is not"),
    ({"event": ON_STATUS_UPDATE, "data": {"sessioninfo": {
        "user": {"name": "a"}, "token": {"value": SECRET, "expiry": "soon"}}}}, "expiry"),
    ({"event": ON_STATUS_UPDATE, "data": {"isError": "yes"}}, "isError"),
    ({"event": ON_ACTION_REQUEST, "data": {"props": {}}}, "no action"),
    ({"event": ON_ACTION_REQUEST, "data": {"action": "WebRequest", "props": "x"}}, "props"),
])
def test_unknown_and_malformed_become_on_error(value, reason):
    ev = ComponentEvent.parse(value)
    assert ev.name == ON_ERROR
    assert reason in ev.rejected
    assert ev.message  # something to show
    # The payload is never quoted back (it may hold tokens), and names are bounded.
    assert SECRET not in repr(ev) + str(ev.data)
    assert len(ev.rejected) < 200


def test_allowed_events_filter():
    ev = ComponentEvent.parse(status_event(), allowed=(ON_ERROR,))
    assert ev.name == ON_ERROR and "not allowed" in ev.rejected


@pytest.mark.parametrize("seq,want", [(1, 1), (0, 0), (True, None), (-1, None), ("3", None),
                                      (2.5, None), (None, None)])
def test_seq_values(seq, want):
    ev = status_event()
    ev["seq"] = seq
    assert ComponentEvent.parse(ev).seq == want


def test_dedupe_key():
    a1 = ComponentEvent.parse(status_event(seq=1))
    a1_again = ComponentEvent.parse(status_event(seq=1))
    a2 = ComponentEvent.parse(status_event(seq=2))
    b1 = ComponentEvent.parse(status_event(seq=1, message="other"))  # a remounted component
    assert a1.key == a1_again.key
    assert a1.key != a2.key
    assert a1.key != b1.key
    assert SECRET not in str(a1.key)

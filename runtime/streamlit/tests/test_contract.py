"""The session's contract (testdata/session-contract.json, shared with the Go and TypeScript
suites): the events the component sends are what desklit_auth parses and handles."""

import json
from pathlib import Path

import pytest

from desklit_auth import ON_ACTION_REQUEST, ON_ERROR, ON_STATUS_UPDATE, ComponentEvent, handle_event
from desklit_auth.handler import ERROR_KEY, current_status, current_token
from desklit_auth.model import parse_expiry

CONTRACT = json.loads(
    (Path(__file__).resolve().parents[3] / "testdata" / "session-contract.json").read_text("utf-8"))


@pytest.mark.parametrize("name", ["signedIn", "expired"])
def test_signed_in_status(name):
    case = CONTRACT[name]
    answer, now = case["answer"], parse_expiry(case["now"])
    ev = ComponentEvent.parse(case["event"])
    assert ev.name == ON_STATUS_UPDATE and ev.rejected is None and ev.seq == case["event"]["seq"]
    state = {}
    assert handle_event(ev, state).ok
    status = current_status(state)
    assert status.signed_in and status.hostname == answer["hostname"]
    assert status.message == case["event"]["data"]["message"]
    user = status.session.user
    assert (user.user, user.name, user.email) == (
        answer["user"]["sub"], answer["user"]["name"], answer["user"]["email"])
    token = current_token(state)
    assert token.value == answer["access_token"]
    assert token.value_id_token == answer["id_token"]
    assert token.expiry == parse_expiry(answer["expiry"])
    assert token.valid(now=now, skew=0) is not answer.get("expired", False)


def test_signed_out_status():
    case = CONTRACT["signedOut"]
    ev = ComponentEvent.parse(case["event"])
    assert ev.name == ON_STATUS_UPDATE and ev.rejected is None
    state = {}
    handle_event(ev, state)
    status = current_status(state)
    assert not status.signed_in and status.hostname == case["answer"]["hostname"]
    assert current_token(state) is None


def test_action_request():
    ev = ComponentEvent.parse(CONTRACT["action"]["event"])
    assert ev.name == ON_ACTION_REQUEST and ev.rejected is None
    assert ev.data == CONTRACT["action"]["event"]["data"]
    arg = dict(CONTRACT["action"]["arg"])
    arg.pop("label")
    assert ev.data == arg  # the component sends the action without its label


def test_error():
    data = CONTRACT["error"]["event"]["data"]
    ev = ComponentEvent.parse(CONTRACT["error"]["event"])
    assert ev.name == ON_ERROR and ev.rejected is None
    state = {}
    handle_event(ev, state)
    assert state[ERROR_KEY] == {"message": data["message"], "error": data["error"]}

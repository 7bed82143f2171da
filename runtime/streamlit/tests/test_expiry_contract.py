"""The expiry rule (testdata/expiry-contract.json, shared with Go's app/session): Python judges a
token's expiry exactly as the shell does."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desklit_auth.model import DEFAULT_SKEW, Token, parse_expiry

CONTRACT = json.loads(
    (Path(__file__).resolve().parents[3] / "testdata" / "expiry-contract.json").read_text("utf-8"))


def test_the_skew_is_the_contracts():
    assert DEFAULT_SKEW == timedelta(seconds=CONTRACT["skew_seconds"])


@pytest.mark.parametrize("case", CONTRACT["cases"], ids=[c["name"] for c in CONTRACT["cases"]])
def test_expiry_rule(case):
    now = datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
    token = Token(value=case.get("token", "ACCESS.TOKEN.VALUE"), expiry=parse_expiry(case["expiry"]))
    assert token.expired(now) is case["expired"]
    assert token.usable(now) is case["usable"]

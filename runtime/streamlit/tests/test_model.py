"""check_token, parse_expiry and the display helpers."""

from datetime import datetime, timedelta, timezone

import pytest

from desklit_auth import Token, check_token, decode_claims, mask, parse_expiry, token_scopes
from desklit_auth.model import SessionInfo, Status, User

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)
EPOCH_NOW = NOW.timestamp()


@pytest.mark.parametrize("expiry,now,skew,want", [
    (NOW + timedelta(hours=1), NOW, 30, True),
    (NOW - timedelta(seconds=1), NOW, 30, False),
    (NOW, NOW, 0, False),                                   # expiring now is expired
    (NOW + timedelta(seconds=31), NOW, 30, True),
    (NOW + timedelta(seconds=30), NOW, 30, False),          # inside the skew margin
    (NOW + timedelta(seconds=10), NOW, timedelta(seconds=5), True),
    (NOW + timedelta(seconds=10), NOW, timedelta(seconds=15), False),
    # naive datetimes are UTC, both for the expiry and for now
    (datetime(2026, 11, 27, 13, 0), NOW, 30, True),
    (datetime(2026, 11, 27, 11, 0), NOW, 30, False),
    (NOW + timedelta(hours=1), datetime(2026, 11, 27, 12, 0), 30, True),
    (NOW + timedelta(minutes=10), datetime(2026, 11, 27, 12, 30), 30, False),
    # an aware non-UTC expiry is compared in UTC: 13:30+02:00 is 11:30Z
    (datetime(2026, 11, 27, 13, 30, tzinfo=timezone(timedelta(hours=2))), NOW, 30, False),
    (datetime(2026, 11, 27, 8, 30, tzinfo=timezone(timedelta(hours=-5))), NOW, 30, True),
    # epoch seconds (int, float, numeric string) and milliseconds
    (int(EPOCH_NOW) + 3600, NOW, 30, True),
    (EPOCH_NOW - 5.5, NOW, 30, False),
    (str(int(EPOCH_NOW) + 3600), NOW, 30, True),
    ((EPOCH_NOW + 3600) * 1000, NOW, 30, True),
    ((EPOCH_NOW - 3600) * 1000, NOW, 30, False),
    # ISO-8601: Z, an offset, no offset (UTC)
    ("2026-11-27T13:00:00Z", NOW, 30, True),
    ("2026-11-27T11:59:00Z", NOW, 30, False),
    ("2026-11-27T14:00:00+03:00", NOW, 30, False),
    ("2026-11-27T12:10:00", NOW, 30, True),
    ("2026-11-27T12:00:20.500Z", NOW, 30, False),
    # unknown or unparseable: not valid
    (None, NOW, 30, False),
    ("", NOW, 30, False),
    ("tomorrow", NOW, 30, False),
    (True, NOW, 30, False),
    (float("nan"), NOW, 30, False),
    ([1, 2], NOW, 30, False),
    # the original design's token dict and a Token
    ({"value": "t", "expiry": int(EPOCH_NOW) + 3600}, NOW, 30, True),
    ({"value": None, "expiry": int(EPOCH_NOW) + 3600}, NOW, 30, False),
    (Token(value="t", expiry=NOW + timedelta(hours=1)), NOW, 30, True),
    (Token(value="", expiry=NOW + timedelta(hours=1)), NOW, 30, False),
])
def test_check_token(expiry, now, skew, want):
    assert check_token(expiry, now=now, skew=skew) is want


def test_check_token_default_now_and_skew():
    assert check_token(datetime.now(timezone.utc) + timedelta(minutes=5))
    assert not check_token(datetime.now(timezone.utc) + timedelta(seconds=20))  # < 30 s skew


def test_parse_expiry_is_utc():
    for v in (EPOCH_NOW, "2026-11-27T12:00:00Z", "2026-11-27T07:00:00-05:00",
              datetime(2026, 11, 27, 12, 0)):
        got = parse_expiry(v)
        assert got == NOW and got.utcoffset() == timedelta(0), v
    assert parse_expiry(None) is None
    with pytest.raises(ValueError):
        parse_expiry("not a date")
    with pytest.raises(ValueError):
        parse_expiry(1e300)


def test_mask_shows_only_a_prefix():
    assert mask("eyJhbGciOiJSUzI1NiJ9.secret.sig") == "eyJhbG…"
    assert mask("abc") == "…"
    assert mask(None) == "—"


def test_token_values_stay_out_of_repr():
    s = SessionInfo(user=User("u", "Ada", "a@x"),
                    token=Token(value="SECRET-ACCESS", value_id_token="SECRET-ID", expiry=NOW))
    text = repr(s) + str(s) + repr(Status(session=s))
    assert "SECRET" not in text
    assert "Ada" in text


def test_decode_claims_and_scopes():
    import base64
    import json

    payload = base64.urlsafe_b64encode(json.dumps(
        {"sub": "u1", "scope": "openid read:messages", "permissions": ["write:x"]}
    ).encode()).rstrip(b"=").decode()
    claims = decode_claims(f"eyJhbGciOiJub25lIn0.{payload}.sig")
    assert claims["sub"] == "u1"
    assert token_scopes(claims) == ["openid", "read:messages", "write:x"]
    for bad in (None, "", "opaque", "a.b", "a.!!!.c", "a.bnVsbA.c"):  # bnVsbA = "null"
        assert decode_claims(bad) is None
    assert token_scopes(None) == []

"""Decision tokens: exact round trips, compact output, one-line errors on garbage."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlock.replay import decode_decisions, encode_decisions

_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


class TestRoundTrip:
    """Whatever goes in comes back out, and the token is printable and URL-safe."""

    @given(st.lists(st.integers(min_value=0, max_value=2**40)))
    def test_any_list(self, decisions):
        token = encode_decisions(decisions)
        assert _URL_SAFE.fullmatch(token)
        assert decode_decisions(token) == decisions

    @given(st.lists(st.sampled_from([0, 1, 2, 3]), max_size=500))
    def test_schedule_like_lists(self, decisions):
        assert decode_decisions(encode_decisions(decisions)) == decisions

    def test_empty(self):
        assert encode_decisions([]) == "r"
        assert decode_decisions("r") == []

    def test_accepts_any_iterable(self):
        assert decode_decisions(encode_decisions(iter((1, 2, 2)))) == [1, 2, 2]

    def test_long_repetitive_schedule_is_short(self):
        decisions = [1, 2, 3, 4] * 1000 + [1] * 5000
        token = encode_decisions(decisions)
        assert token.startswith("z")
        assert len(token) < 100
        assert decode_decisions(token) == decisions

    def test_short_schedule_stays_raw(self):
        assert encode_decisions([1, 1, 1, 2]) == "rAQMCAQ"


class TestEncodeErrors:
    """Only non-negative ints are thread ids."""

    @pytest.mark.parametrize("bad", [-1, True, 1.0, "1", None])
    def test_rejects(self, bad):
        with pytest.raises(ValueError, match=r"^decision 1 must be an int >= 0 \(got .*\)$"):
            encode_decisions([1, bad])


class TestDecodeErrors:
    """Garbage gives one ValueError with a one-line message, never another exception."""

    @pytest.mark.parametrize(
        ("token", "message"),
        [
            ("", "must start with 'r' or 'z'"),
            ("xAQM", "must start with 'r' or 'z'"),
            ("rAQ=", "is not base64url"),
            ("rA+M", "is not base64url"),
            ("rA QM", "is not base64url"),
            ("rAQMCA", "is not base64url"),  # 5 characters of base64 cannot exist
            ("rAQ", "without a count"),  # thread 1, then nothing
            ("rAQA", "a run of length 0"),
            ("rAYGAgAg", "holds more than 16777216 decisions"),  # thread 1, 2**24 + 1 times
            ("r_____________wEB", "bad varint at byte 10"),  # a varint longer than 64 bits
            ("rgA", "bad varint"),  # continuation bit on the last byte
            ("rAYEA", "bad varint"),  # thread 1, count 1 padded as 0x81 0x00
            ("zAQM", "bad zlib data"),
            ("z" + encode_decisions([1, 2, 3] * 200)[1:-4], "truncated"),
        ],
    )
    def test_garbage(self, token, message):
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            decode_decisions(token)
        assert "\n" not in str(info.value)

    def test_zlib_bomb_is_refused(self):
        token = "z" + base64.urlsafe_b64encode(zlib.compress(b"\x01\x01" * (9 << 20), 1)).decode()
        with pytest.raises(ValueError, match=r"expands past 16777216 bytes"):
            decode_decisions(token.rstrip("="))

    def test_not_a_string(self):
        with pytest.raises(ValueError, match=r"must be a str \(got bytes\)"):
            decode_decisions(b"rAQM")  # type: ignore[arg-type]

    def test_long_garbage_is_clipped_in_the_message(self):
        with pytest.raises(ValueError) as info:
            decode_decisions("x" * 500)
        assert len(str(info.value)) < 120

    @given(st.text(max_size=40))
    def test_random_text_is_value_error_or_a_list(self, text):
        try:
            result = decode_decisions(text)
        except ValueError:
            return
        assert all(isinstance(d, int) and d >= 0 for d in result)

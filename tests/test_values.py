"""Values: parsing dates, the total order, the encoding round trip."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allegiance.lang.values import Date, Integer, String, Symbol, from_key, printable, quote, sort_key

values = st.one_of(
    st.builds(Symbol, st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)),
    st.builds(String, st.text(max_size=8)),
    st.builds(Integer, st.integers()),
    st.builds(lambda d, p: Date(d.year, d.month if p > 0 else None, d.day if p > 1 else None),
              st.dates(min_value=datetime.date(1, 1, 1)), st.integers(0, 2)),
)


@pytest.mark.parametrize("text, expected", [
    ("2014", Date(2014)),
    ("2014-06", Date(2014, 6)),
    ("2014-06-29", Date(2014, 6, 29)),
], ids=["year", "month", "day"])
def test_dates_parse(text, expected):
    assert Date.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["2014-13", "2014-02-30", "0000", "14-06", "2014-6", "x"])
def test_invalid_dates_are_rejected(text):
    with pytest.raises(ValueError):
        Date.parse(text)


def test_periods_have_first_and_last_days():
    assert Date(2013).last_day() == datetime.date(2013, 12, 31)
    assert Date(2014, 2).last_day() == datetime.date(2014, 2, 28)
    assert Date(2014, 6).first_day() == datetime.date(2014, 6, 1)


def test_one_integer_string_and_symbol_are_distinct():
    assert len({Integer(1), String("1"), Symbol("one"), Date(1)}) == 4
    assert len({sort_key(Integer(2014)), sort_key(Date(2014)), sort_key(Date(2014, 1))}) == 3


def test_standard_order_numbers_and_dates_then_symbols_then_strings():
    ordered = [Integer(5), Date(2013, 12), Integer(2014), Date(2014), Date(2014, 6), Symbol("a"), String("a")]
    assert sorted(reversed(ordered)) == ordered


@given(values)
def test_encoding_round_trips(value):
    assert from_key(sort_key(value)) == value


@given(values, values)
def test_order_is_total_and_matches_the_encoding(a, b):
    assert (a < b) == (sort_key(a) < sort_key(b))
    assert (a < b) + (b < a) + (a == b) == 1


def test_quote_escapes_and_printable_neutralises_terminal_escapes():
    assert quote('say "hi"\\\n') == '"say \\"hi\\"\\\\\\n"'
    assert quote("\x1b[31m") == '"\\u{1b}[31m"'
    assert "\x1b" not in printable("\x1b]0;pwned\x07")

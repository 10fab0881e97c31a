"""Amounts and dates per language (docs/rules.md §2: ¥, two decimals, Asia/Shanghai)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from portal.i18n import day, moment, money


@pytest.mark.parametrize(
    ("amount", "shown"), [(Decimal("1234567.5"), "¥1,234,567.50"), (Decimal("0"), "¥0.00"), (None, "—")]
)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_money_is_yuan_with_two_decimals_in_both_languages(app, language, amount, shown):
    with app.test_request_context(), force_locale(language):
        assert money(amount) == shown


def test_dates_follow_the_language(app):
    with app.test_request_context():
        with force_locale("zh"):
            assert day(date(2026, 3, 5)) == "2026年3月5日"
        with force_locale("en"):
            assert day(date(2026, 3, 5)) == "Mar 5, 2026"


def test_timestamps_are_shown_in_shanghai_time(app):
    with app.test_request_context(), force_locale("en"):
        assert "8:30" in moment(datetime(2026, 3, 5, 0, 30, tzinfo=UTC))

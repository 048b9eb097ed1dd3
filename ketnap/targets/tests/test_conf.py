"""The indicators' parameters follow the rule book's as the deployment sets them."""

from ketnap.rules import indicators as ind
from ketnap.targets import conf


def test_recognition_on_time_follows_the_rule_books_two_deadlines(settings):
    assert conf.params() is ind.DEFAULT_PARAMS
    assert conf.params().recognition_working_days == 60
    settings.KETNAP_RULE_PARAMS = {"recognition_review_days": 20, "recognition_decision_days": 25}
    assert conf.params().recognition_working_days == 45


def test_an_explicit_indicator_parameter_wins(settings):
    settings.KETNAP_RULE_PARAMS = {"recognition_review_days": 20}
    settings.KETNAP_INDICATOR_PARAMS = {"recognition_working_days": 70, "pool_min": 3}
    params = conf.params()
    assert (params.recognition_working_days, params.pool_min) == (70, 3)

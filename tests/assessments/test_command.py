"""``flask --app wsgi portal compute-assessments [--quarter YYYY-Qn]``: the daily command (docs/rules.md
§9), by default for the last ended quarter; run twice, it changes nothing the second time."""

from __future__ import annotations

from portal.assessments.models import Assessment
from portal.audit.models import AuditEvent


def test_the_command_computes_the_last_ended_quarter_once(app, after_q1, shop, count_rows):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["portal", "compute-assessments"])
    again = runner.invoke(args=["portal", "compute-assessments"])

    assert first.exit_code == 0, first.output
    assert "Assessments of 2026-Q1: 1 created, 0 updated, 0 already reviewed" in first.output
    assert "Assessments of 2026-Q1: 0 created, 0 updated" in again.output
    assert count_rows(Assessment) == 1
    assert {e.actor_name for e in AuditEvent.query.filter_by(table_name="assessments")} == {"cli"}


def test_the_command_takes_an_ended_quarter_and_refuses_others(app, after_q1, shop, count_rows):
    runner = app.test_cli_runner()

    assert runner.invoke(args=["portal", "compute-assessments", "--quarter", "2025-Q4"]).exit_code == 0
    refused = runner.invoke(args=["portal", "compute-assessments", "--quarter", "2026-Q2"])
    mistyped = runner.invoke(args=["portal", "compute-assessments", "--quarter", "2026-Q7"])

    assert refused.exit_code != 0
    assert "2026-Q2" in refused.output
    assert mistyped.exit_code != 0
    assert count_rows(Assessment) == 0  # the shop's agreement starts in 2026

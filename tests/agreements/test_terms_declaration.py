"""The terms are declared once, in portal.domain.agreements.Terms (docs/rules.md §3). The form, the
labels, the API's schemas and the history of versions are made from that declaration; the table's
columns and the plain-words partial are written out, so these tests fail when either drifts from it
(a term added, renamed, dropped, or of another kind)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import Integer

from portal.agreements.forms import TERM_LABELS, PercentField, TermsForm, WholeNumberField
from portal.agreements.models import AgreementTerms
from portal.api.agreements import TermsOut, TermsPatch
from portal.db import Money, Percent
from portal.domain.agreements import SEED_TERMS, TERM_NAMES, TERM_SPECS, TermKind, Terms
from portal.forms import MoneyField

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_declaration_reads_off_the_terms_fields_with_a_seed_value_of_its_kind():
    assert tuple(f.name for f in fields(Terms)) == TERM_NAMES
    for spec in TERM_SPECS:
        assert spec.clause.startswith("§"), spec.name
        assert getattr(SEED_TERMS, spec.name) == spec.seed
        if spec.kind.is_decimal:
            assert isinstance(spec.seed, Decimal), spec.name
            assert spec.bounds is None, spec.name
        else:
            assert type(spec.seed) is int, spec.name
            assert spec.bounds is not None, spec.name
            assert spec.bounds[0] <= spec.seed <= spec.bounds[1], spec.name


def test_the_table_has_one_column_per_term_of_the_same_kind():
    columns = AgreementTerms.__table__.columns
    not_terms = {"id", "agreement_id", "effective_from", "note"}
    assert [c.name for c in columns if c.name not in not_terms] == list(TERM_NAMES)
    column_type = {TermKind.MONEY: Money, TermKind.PERCENT: Percent}
    for spec in TERM_SPECS:
        assert isinstance(columns[spec.name].type, column_type.get(spec.kind, Integer)), spec.name
        assert not columns[spec.name].nullable, spec.name


def test_the_form_has_one_field_per_term_of_its_kind_in_order_with_its_label(app):
    with app.test_request_context():
        form = TermsForm(meta={"csrf": False})
        field_type = {TermKind.MONEY: MoneyField, TermKind.PERCENT: PercentField}
        assert [f.name for f in form.term_fields()] == list(TERM_NAMES)
        for spec, field in zip(TERM_SPECS, form.term_fields(), strict=True):
            assert type(field) is field_type.get(spec.kind, WholeNumberField), spec.name
            assert str(field.label.text) == gettext(spec.label), spec.name
        assert set(TERM_LABELS) == set(TERM_NAMES)


def test_the_api_reads_and_writes_every_term_and_nothing_else():
    assert list(TermsPatch.model_fields) == list(TERM_NAMES)
    assert list(TermsOut.model_fields) == list(TERM_NAMES)
    out = TermsOut.model_validate(SEED_TERMS.as_dict()).model_dump(mode="json")
    patch = TermsPatch.model_validate(out)
    assert patch.applied_to(Terms()) == SEED_TERMS
    for spec in TERM_SPECS:
        assert isinstance(out[spec.name], str if spec.kind.is_decimal else int), spec.name


def test_the_plain_words_name_every_term():
    partial = (TEMPLATES / "agreements" / "_terms.html").read_text(encoding="utf-8")
    assert [name for name in TERM_NAMES if f"terms.{name}" not in partial] == []

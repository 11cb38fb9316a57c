"""The clauses explanations quote are the notice's own words (contracts/regulation/)."""

from pathlib import Path

import pytest

from compliance.domain.policy import DEFAULT_POLICY
from compliance.domain.regulation import CLAUSES

NOTICE = Path(__file__).parents[2] / "contracts" / "regulation" / "zhangzhou-2017-77-talk-system-notice.txt"
# The notice as printed breaks lines (and pages) inside sentences: read it as one run of text.
TEXT = "".join(line.strip() for line in NOTICE.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("rule_id", sorted(CLAUSES))
def test_each_clause_is_quoted_word_for_word(rule_id):
    clause = CLAUSES[rule_id]
    assert clause.quote in TEXT
    assert clause.name in clause.quote or rule_id in ("REQ", "COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE")


def test_every_rule_has_its_clause():
    assert set(DEFAULT_POLICY.due_days) | {"COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE"} == set(CLAUSES)

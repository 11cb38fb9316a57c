"""Words every service uses the same way (SPEC §2, §3.4, §6): defined once, here."""

# The committee (班子) of an organisation: whoever holds one of these seats.
COMMITTEE_ROLES = frozenset({"secretary", "deputy_secretary", "committee_member"})

# The changes of a must-talk obligation, each published as `obligation.<transition>.v1`.
OBLIGATION_TRANSITIONS = (
    "opened", "due_soon", "overdue", "escalated", "reassigned", "fulfilled", "cancelled", "waived",
)  # fmt: skip

# An obligation still waiting for its talk (`reassigned` only on rows written before v2).
OPEN_STATUSES = frozenset({"open", "due_soon", "overdue", "escalated", "reassigned"})


class Source:
    """The CloudEvents `source` of what each of our services publishes itself."""

    REGISTRY = "urn:talk-compliance:registry"
    REGISTRY_IMPORT = "urn:talk-compliance:registry-import"
    TALKS = "urn:talk-compliance:talks"
    COMPLIANCE = "urn:talk-compliance:compliance"
    NOTIFY = "urn:talk-compliance:notify"

"""All the rows of one transaction: the view the decisions read, and where their changes land."""

from collections.abc import Sequence
from datetime import date, datetime

from compliance.adapters.rows.obligations import ObligationRows
from compliance.adapters.rows.people import PeopleRows
from compliance.adapters.rows.talks import TalkRows
from compliance.adapters.rows.tree import TreeRows
from compliance.domain import changes as c
from compliance.domain.history import Person, Seat
from compliance.domain.obligations import Obligation, Retraction, Talk
from compliance.domain.tree import Org


class BatchRows:
    """Implements domain.view.View. `complete=True` where nothing is ever missing (what is not here
    does not exist): the in-memory view of tests, and a replay's rows kept from batch to batch
    (adapters.unit_of_work.replay_units_of_work)."""

    def __init__(self, complete: bool = False):
        self.complete = complete
        self.tree = TreeRows(complete)
        self.people = PeopleRows(complete)
        self.obligations = ObligationRows(complete)
        self.talks = TalkRows(complete)

    # domain.view.View ---------------------------------------------------------------------------
    def org(self, org_id: str) -> Org | None:
        return self.tree.org(org_id)

    def parent_of(self, org_id: str) -> str | None:
        return self.tree.parent_of(org_id)

    def seats_at(self, org_id: str) -> Sequence[Seat]:
        return self.tree.seats_at(org_id)

    def secretaries_at(self, org_id: str) -> Sequence[Seat]:
        return self.tree.secretaries_at(org_id)

    def seats_of(self, person_id: str) -> Sequence[Seat]:
        return self.tree.seats_of(person_id)

    def vacant_since(self, org_id: str) -> date | None:
        return self.tree.vacant_since(org_id)

    def person(self, person_id: str) -> Person | None:
        return self.people.person(person_id)

    def absences(self, person_id: str) -> int:
        return self.people.absences(person_id)

    def held(self, person_id: str) -> Sequence[tuple[str, str]]:
        return self.people.held(person_id)

    def obligation(self, obligation_id: str) -> Obligation | None:
        return self.obligations.obligation(obligation_id)

    def obligations_of(self, subject_id: str, since: datetime, rule_id: str | None = None) -> Sequence[Obligation]:
        return self.obligations.obligations_of(subject_id, since, rule_id)

    def obligations_through(self, org_id: str, since: datetime) -> Sequence[Obligation]:
        return self.obligations.obligations_through(org_id, since)

    def obligations_by_ref(self, ref: str) -> Sequence[Obligation]:
        return self.obligations.obligations_by_ref(ref)

    def retractions(self, ref: str) -> Sequence[Retraction]:
        return self.obligations.retractions(ref)

    def talks_of(self, person_id: str, since: datetime) -> Sequence[Talk]:
        return self.talks.talks_of(person_id, since)

    def talk(self, talk_id: str) -> Talk | None:
        return self.talks.talk(talk_id)

    def flushed(self) -> None:
        """Written back: nothing is changed any more, and everything stays as the tables now hold it."""
        for rows in (self.tree, self.people, self.obligations, self.talks):
            rows.flushed()

    # the changes a decision made ----------------------------------------------------------------
    def apply(self, change: c.Change) -> None:
        """Keep what the change says; changes that are messages, not rows, are the caller's."""
        match change:
            case c.OrgSaved(org):
                self.tree.save_org(org)
            case c.SeatsSaved(org_id, seats):
                self.tree.save_seats(org_id, seats)
            case c.PersonSaved(person):
                self.people.save_person(person)
            case c.TalkSaved(talk):
                self.talks.save(talk)
            case c.CreditsSaved(talk_id, held_at, credits):
                self.talks.save_credits(talk_id, held_at, credits)
            case c.RetractionSaved(retraction):
                self.obligations.save_retraction(retraction)
            case c.MeetingSaved(meeting_id, org_id, day, kind):
                self.tree.save_meeting(meeting_id, org_id, day, kind)
            case c.AbsencesSaved(person_id, absences):
                self.people.save_absences(person_id, absences)
            case c.TriggerHeld(person_id, event_id, payload):
                self.people.hold(person_id, event_id, payload)
            case c.HeldReleased(person_id):
                self.people.release(person_id)
            case c.ObligationSaved(obligation):
                self.obligations.save(obligation)
            case c.VacancyReported(org_id, _, _, since):
                self.tree.set_vacancy(org_id, since)
            case c.VacancyFilled(org_id):
                self.tree.set_vacancy(org_id, None)

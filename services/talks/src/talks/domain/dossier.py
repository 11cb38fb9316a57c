"""A member's yearly dossier (SPEC §4): their talks, the must-talks they were the subject of and how
each was met, their follow-up measures, and the counts a party-spirit analysis reads first. Pure:
the rows come in, the dossier goes out."""

# How compliance's final obligation statuses read in a dossier; any other status is still open.
MET = {"fulfilled": "met", "fulfilled_late": "met late", "cancelled": "cancelled"}


def assemble(
    person_id: str, name: str | None, org_id: str, year: int, talks: list[dict], obligations: list[dict], follow_ups: list[dict]
) -> dict:
    must = [o | {"outcome": MET.get(o["status"], "open")} for o in obligations]
    return {
        "person_id": person_id,
        "name": name,
        "org_id": org_id,
        "year": year,
        "talks": talks,
        "must_talks": must,
        "follow_ups": [f | {"done": f["completed_at"] is not None} for f in follow_ups],
        "summary": {
            "talks": len(talks),
            "must_talks": len(must),
            "met": sum(1 for m in must if m["outcome"] == "met"),
            "met_late": sum(1 for m in must if m["outcome"] == "met late"),
            "open": sum(1 for m in must if m["outcome"] == "open"),
            "follow_ups_done": sum(1 for f in follow_ups if f["completed_at"] is not None),
            "follow_ups_open": sum(1 for f in follow_ups if f["completed_at"] is None),
        },
    }

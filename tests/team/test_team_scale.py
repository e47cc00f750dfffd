"""Fifty members sharing one folder: several rounds of edits, concurrent ones included."""

from __future__ import annotations

import time

import pytest

from team_helpers import delegation_rows, form_team, member_stores, proposals
from wtdc_desktop.store import delegation_merge, positions, record_marks
from wtdc_desktop.team import sync

MEMBERS = 50
PAIRS = 5  # pairs of members editing the same field of the same position in each round


def _folder_bytes(path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@pytest.mark.slow
def test_fifty_members_converge_and_list_every_concurrent_edit(_demo_store_template, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    names = [f"m{i:02d}" for i in range(MEMBERS)]
    stores = member_stores(_demo_store_template, tmp_path, names)
    try:
        form_team(stores, shared)
        members = [stores[n] for n in names]
        subjects = proposals(members[0])
        for pid in subjects:
            positions.save_position(members[0], "proposal", pid, stance="support", brief="base")

        def round_of_syncs(label: str) -> None:
            start = time.perf_counter()
            for store in members:
                result = sync(store)
                assert not result.problems, result.problems
                assert all(m.outcome in ("merged", "up_to_date") for m in result.members), result.as_dict()
            print(f"\n{label}: {time.perf_counter() - start:.1f} s for {MEMBERS} syncs, "
                  f"{_folder_bytes(shared):,} bytes in the shared folder")

        round_of_syncs("round 0 (first publication of every member)")
        round_of_syncs("round 0b (everyone has the base)")
        expected_conflicts = []  # (member, other, subject)
        notes = []
        for r in range(2):
            for i, store in enumerate(members):
                body = f"round {r}, member {i}"
                record_marks.save_note(store, "proposal", subjects[i % len(subjects)], body)
                notes.append(body)
            for k in range(PAIRS):
                subject = subjects[(r * PAIRS + k) % len(subjects)]
                x, y = members[2 * k + r], members[2 * k + r + 20]
                positions.save_position(x, "proposal", subject, brief=f"r{r} by {2 * k + r}")
                positions.save_position(y, "proposal", subject, brief=f"r{r} by {2 * k + r + 20}")
                expected_conflicts.append((2 * k + r, 2 * k + r + 20, subject))
                # a third member changes another field of it: merged, never a conflict
                positions.save_position(members[40 + k], "proposal", subject, priority="high")
            round_of_syncs(f"round {r + 1} (edits)")
        round_of_syncs("settling round 1")
        round_of_syncs("settling round 2")

        # every concurrent edit of the same field is a listed conflict on both sides, nothing overwritten
        for i, j, subject in expected_conflicts:
            for me in (i, j):
                open_ = [c for c in delegation_merge.open_edit_conflicts(members[me])
                         if c["subject"] == {"type": "proposal", "id": subject}]
                assert open_ and all(c["fields"] == ["brief"] for c in open_), (me, subject, open_)
                pos = positions.position_for(members[me], "proposal", subject)
                assert pos["brief"].endswith(f"by {me}") and pos["priority"] == "high"
        # no change lost, and every member holds the same records (the conflicted briefs aside)
        conflicted = {s for _i, _j, s in expected_conflicts}
        views = []
        for store in members:
            rows = delegation_rows(store)
            assert sorted(rows["note"].values()) == sorted(notes)
            rows["position"] = {k: (v[0], None if k[1] in conflicted else v[1], v[2])
                                for k, v in rows["position"].items()}
            views.append(rows)
        assert all(v == views[0] for v in views[1:])
        print(f"shared folder: {_folder_bytes(shared):,} bytes")
    finally:
        for s in stores.values():
            s.close()

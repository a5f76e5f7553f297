"""Groups from the LMS: read them through the LTI layer and upsert them as LMS-kept learner groups.

Each sync replaces the members of the groups that came from the platform (matched by the
platform's group id) and never touches groups kept in the tool. People are matched by their LTI
user id among the course's learners who have opened the tool, as the gradebook's roster does; the
others are counted and join at the next sync after their first launch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from course.db import db
from course.lti.groups import PlatformGroup, fetch_groups
from course.models import Context, Membership, User
from course.roles import LEARNER
from quizzes.accommodations.models import PLATFORM, LearnerGroup
from quizzes.accommodations.service import group_snapshot, refresh_deadlines, replace_members

NO_GROUPS = "Your LMS did not share groups; make groups here."


@dataclass
class SyncReport:
    """What one sync changed: group names by outcome, and people not yet known to the tool."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)  # LMS groups the platform no longer lists
    not_launched: int = 0

    @property
    def summary(self) -> str:
        """One sentence for the instructor."""
        parts = [f"{len(self.added)} group(s) added", f"{len(self.changed)} changed",
                 f"{len(self.unchanged)} unchanged"]
        if self.emptied:
            parts.append(f"{len(self.emptied)} no longer in the LMS (emptied)")
        text = "Groups synced from the LMS: " + ", ".join(parts) + "."
        if self.not_launched:
            text += (f" {self.not_launched} group member(s) have not opened this tool yet; "
                     "they join their groups at the next sync after they do.")
        return text


def _learners_by_sub(context_id: int) -> dict[str, int]:
    """Current learners of the course who have opened the tool, by LTI user id."""
    rows = db.session.execute(
        select(User.sub, User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == LEARNER,
               Membership.removed_at.is_(None)))
    return {sub: uid for sub, uid in rows}


def _free_name(context_id: int, wanted: str, group: LearnerGroup | None) -> str:
    """The platform's name, or with " (LMS)" or its id added when a tool group already has it."""
    taken = set(db.session.scalars(select(LearnerGroup.name).where(
        LearnerGroup.context_id == context_id,
        LearnerGroup.id != (group.id if group is not None and group.id else -1))))
    for candidate in (wanted, f"{wanted} (LMS)"):
        if candidate not in taken:
            return candidate
    return f"{wanted} (LMS {group.lms_group_id if group else ''})"[:100]


def _apply(context_id: int, actor_id: int | None, pg: PlatformGroup, group: LearnerGroup | None,
           user_ids: set[int], report: SyncReport) -> set[int]:
    """Upsert one platform group with exactly these members; returns the learners it moved."""
    before = group_snapshot(group) if group is not None else None
    if group is None:
        group = LearnerGroup(context_id=context_id, source=PLATFORM, lms_group_id=pg.id, name="")
        db.session.add(group)
    group.name = _free_name(context_id, " ".join(pg.name.split())[:90] or f"LMS group {pg.id}"[:90],
                            group)
    after, moved = replace_members(context_id, actor_id, group, user_ids, before,
                                   f"group {group.name} (from the LMS)")
    (report.unchanged if after == before else report.changed if before else report.added
     ).append(group.name)
    return moved


def sync_groups(context: Context, actor_id: int | None) -> SyncReport:
    """Read the platform's groups and replace the LMS groups' members; raises GroupsError.

    Nothing is written when the platform cannot be read: the groups stay as the last sync left them.
    """
    platform = fetch_groups(context)  # every page, or an error before any write
    learners = _learners_by_sub(context.id)
    existing = {grp.lms_group_id: grp for grp in db.session.scalars(select(LearnerGroup).where(
        LearnerGroup.context_id == context.id, LearnerGroup.source == PLATFORM))}
    report, moved = SyncReport(), set[int]()
    for pg in platform:
        ids = {learners[s] for s in pg.members if s in learners}
        report.not_launched += sum(1 for s in pg.members if s not in learners)
        moved |= _apply(context.id, actor_id, pg, existing.pop(pg.id, None), ids, report)
    for gone in existing.values():  # kept with its overrides, so an instructor sees what changed
        if gone.members:
            moved |= _apply(context.id, actor_id, PlatformGroup(str(gone.lms_group_id), gone.name, ()),
                            gone, set(), SyncReport())
            report.emptied.append(gone.name)
    refresh_deadlines(context.id, sorted(moved), None)
    db.session.commit()
    return report

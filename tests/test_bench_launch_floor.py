"""The launch floor's anchor (bench/pylti_anchor_app.py with a database): it keeps the record."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench import pylti_anchor_app
from bench.launch_floor import figures
from bench.launch_runs import LaunchRun

CONTEXT, ROLES = pylti_anchor_app.CONTEXT, pylti_anchor_app.ROLES
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def test_a_launch_upserts_the_user_and_the_membership(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'anchor.sqlite3'}"
    pylti_anchor_app.prepare(url)
    engine = create_engine(url)
    body = {"sub": "s-1", "name": "Ana", CONTEXT: {"id": "c-1"}, ROLES: [LEARNER]}
    first = pylti_anchor_app.record(engine, body)
    again = pylti_anchor_app.record(engine, {**body, "name": "Ana R", ROLES: [MENTOR, 3]})
    pylti_anchor_app.record(engine, {**body, "name": "Ana R", CONTEXT: {"id": "c-2"}})
    with engine.connect() as conn:
        names = conn.execute(select(pylti_anchor_app.users.c.name)).scalars().all()
        roles = conn.execute(select(pylti_anchor_app.members.c.roles).where(
            pylti_anchor_app.members.c.context_id == "c-1")).scalar_one()
        memberships = conn.execute(select(func.count()).select_from(
            pylti_anchor_app.members)).scalar_one()
    assert first == {"user": again["user"], "context": "c-1", "roles": [LEARNER]}
    assert names == ["Ana R"] and roles == [MENTOR] and memberships == 2


def test_floor_figures_are_the_floor_over_the_tool() -> None:
    from bench.launch_floor import Floor
    tool = LaunchRun(latencies=[0.1] * 100, cpu={"app": 0.3, "PostgreSQL": 0.1, "Redis": 0.0})
    again = LaunchRun(latencies=[0.1] * 100, cpu={"app": 0.2, "PostgreSQL": 0.0, "Redis": 0.0})
    floor = Floor("http://x", None)
    floor.first.append(LaunchRun(latencies=[0.1] * 50, cpu={"app": 0.25, "PostgreSQL": 0.05}))
    floor.again.append(LaunchRun(latencies=[0.1] * 50, cpu={"app": 0.15}))
    found = {f.key: f.value for f in figures(tool, again, floor)}
    assert found["launch_floor_cpu_ms"] == 6.0 and found["returning_launch_floor_cpu_ms"] == 3.0
    assert found["launch_floor_cpu_ratio"] == 1.5 and found["returning_launch_floor_cpu_ratio"] == 1.5
    assert all(v is None for v in {f.key: f.value for f in figures(tool, again, None)}.values())

"""`flask content check --json` reports every content package and meets the course's floors."""
import json

from quizzes.types import REGISTRY


def test_content_check_json_reports_all_packages(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["modules"] >= 6 and data["sections"] >= data["modules"] * 3
    assert data["practice_items"] > 0 and data["references"] >= data["modules"] * 3
    assert all(m["reviewed"] for m in data["module_list"])
    assert data["questions"] >= 60 and data["case_studies"] >= 2 and data["quizzes"] >= 7
    assert set(REGISTRY) <= set(data["questions_by_type"])
    assert data["handouts"] >= 6
    assert all(grade <= 8 for grade in data["handout_grades"].values())


def test_content_check_plain_output_ends_ok(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0 and result.output.strip().endswith("Content OK.")

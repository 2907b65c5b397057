"""The Action's pull-request comment, against a fake GitHub API on loopback: one comment,
created once and updated in place on every push; never a failure of the gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_github_action import (
    Runner,
    make_upstream,
    pr_event,
    run_action,
    runner,
    shallow_checkout,
)

from driftgate.analyzer import github_comment

TOKEN = "ghs_fake-token-never-printed"
REPO = "acme/models"


@dataclass
class FakeGitHub:
    """The few endpoints the comment uses, with comments kept in memory."""

    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    # (method, status): answer every such request with that status instead.
    fail: dict[str, int] = field(default_factory=dict)
    next_id: int = 1000
    url: str = ""
    # Who the token is: None for the workflow's token (GET /user is refused), else a login.
    login: str | None = None

    def calls(self) -> list[tuple[str, str]]:
        """The requests about comments (who the token is, asked first, left out)."""
        return [
            (method, urlsplit(path).path)
            for method, path, _, _ in self.requests
            if urlsplit(path).path != "/user"
        ]

    def author(self) -> dict[str, str]:
        if self.login is None:
            return {"login": "github-actions[bot]", "type": "Bot"}
        return {"login": self.login, "type": "User"}

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        self.requests.append((method, path, headers, body))
        if method in self.fail:
            return self.fail[method], {"message": "Resource not accessible by integration"}
        parts = urlsplit(path)
        if parts.path == "/user":
            if self.login is None:
                return 403, {"message": "Resource not accessible by integration"}
            return 200, {"login": self.login, "type": "User"}
        segments = parts.path.strip("/").split("/")
        if segments[:3] != ["repos", *REPO.split("/")]:
            return 404, {"message": "Not Found"}
        rest = segments[3:]
        if rest[:1] == ["issues"] and rest[2:] == ["comments"]:
            number = int(rest[1])
            thread = self.comments.setdefault(number, [])
            if method == "GET":
                query = parse_qs(parts.query)
                per_page, page = int(query["per_page"][0]), int(query["page"][0])
                return 200, thread[(page - 1) * per_page : page * per_page]
            if method == "POST":
                self.next_id += 1
                comment = {
                    "id": self.next_id,
                    "body": body["body"],
                    "html_url": f"c/{self.next_id}",
                    "user": self.author(),
                }
                thread.append(comment)
                return 201, comment
        if rest[:2] == ["issues", "comments"] and method == "PATCH":
            wanted = int(rest[2])
            for thread in self.comments.values():
                for comment in thread:
                    if comment["id"] == wanted:
                        comment["body"] = body["body"]
                        return 200, comment
        return 404, {"message": "Not Found"}


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = fake.handle(self.command, self.path, headers, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def pr_runner(tmp_path: Path, api: FakeGitHub, *, harmful: bool = True, **inputs: str) -> Runner:
    upstream = make_upstream(tmp_path, harmful=harmful)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream), **inputs)
    r.env.update(
        {"GITHUB_API_URL": api.url, "GITHUB_REPOSITORY": REPO, "INPUT_GITHUB_TOKEN": TOKEN}
    )
    return r


BOT = {"login": "github-actions[bot]", "type": "Bot"}
HUMAN = {"login": "mallory", "type": "User"}


def test_one_comment_created_then_updated_in_place_on_the_next_push(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.comments[1] = [{"id": 7, "body": "LGTM, but see the bot", "user": HUMAN}]
    r = pr_runner(tmp_path, api)
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 1
    assert api.calls() == [
        ("GET", f"/repos/{REPO}/issues/1/comments"),
        ("POST", f"/repos/{REPO}/issues/1/comments"),
    ]
    _, _, headers, _ = api.requests[-1]
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-github-api-version"] == "2022-11-28"
    ours = api.comments[1][1]
    assert ours["body"].startswith(github_comment.MARKER)
    assert "driftgate" in ours["body"] and "DG101" in ours["body"]
    assert r.outputs["comment-url"] == ours["html_url"]
    assert TOKEN not in out and TOKEN not in r.summary

    # The next push: the same comment is found by its marker and rewritten.
    api.requests.clear()
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 1
    assert [m for m, _ in api.calls()] == ["GET", "PATCH"]
    assert api.calls()[-1][1] == f"/repos/{REPO}/issues/comments/{ours['id']}"
    assert len(api.comments[1]) == 2  # the reviewer's and driftgate's, nothing more


def test_on_findings_stays_silent_on_a_clean_pull_request(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = pr_runner(tmp_path, api, harmful=False)
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 0
    assert [m for m, _ in api.calls()] == ["GET"]
    assert api.comments.get(1, []) == [] and r.outputs["comment-url"] == ""


def test_on_findings_still_updates_an_earlier_comment_once_fixed(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    earlier: dict[str, Any] = {
        "id": 55,
        "body": f"{github_comment.MARKER}\n4 findings",
        "user": BOT,
    }
    api.comments[1] = [earlier]
    r = pr_runner(tmp_path, api, harmful=False)
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 0
    assert [m for m, _ in api.calls()] == ["GET", "PATCH"]
    assert "4 findings" not in earlier["body"] and "no new identity drift" in earlier["body"]


def test_comment_true_posts_even_when_clean_and_false_never_calls(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = pr_runner(tmp_path / "on", api, harmful=False, comment="true")
    run_action(r, capsys, monkeypatch)
    assert [m for m, _ in api.calls()] == ["GET", "POST"]
    api.requests.clear()
    off = pr_runner(tmp_path / "off", api, comment="false")
    code, _ = run_action(off, capsys, monkeypatch)
    assert code == 1 and api.requests == []


def test_our_comment_is_found_past_the_first_page(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chatter = [{"id": i, "body": f"comment {i}"} for i in range(150)]
    api.comments[1] = [*chatter, {"id": 999, "body": f"{github_comment.MARKER}\nold", "user": BOT}]
    r = pr_runner(tmp_path, api)
    run_action(r, capsys, monkeypatch)
    assert [m for m, _ in api.calls()] == ["GET", "GET", "PATCH"]
    assert api.calls()[-1][1].endswith("/issues/comments/999")
    assert len(api.comments[1]) == 151


def test_a_read_only_token_is_said_in_the_summary_and_the_gate_stands(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.fail["POST"] = 403
    r = pr_runner(tmp_path, api)
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 1  # the findings' verdict, not the comment's
    assert "::warning" in out and "read-only token" in out
    assert "read-only token" in r.summary and "pull-requests: write" in r.summary
    assert r.outputs["comment-url"] == ""
    assert TOKEN not in out + r.summary


def test_an_unreachable_api_is_a_warning(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = pr_runner(tmp_path, api, harmful=False, comment="true")
    r.env["GITHUB_API_URL"] = "http://127.0.0.1:9"  # discard port: nothing listens
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 0 and "cannot reach" in out


def test_no_pull_request_no_comment(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = pr_runner(tmp_path, api, comment="true")
    Path(r.env["GITHUB_EVENT_PATH"]).write_text(json.dumps({"before": "0" * 40}))
    r.env["GITHUB_EVENT_NAME"] = "push"
    _, out = run_action(r, capsys, monkeypatch)
    assert "no pull request to comment on (push)" in out and api.requests == []


def test_a_bad_comment_input_is_exit_2(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = pr_runner(tmp_path, api, comment="sometimes")
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 2 and "comment must be one of" in out and api.requests == []


def test_a_long_report_is_cut_to_a_comment_that_github_accepts() -> None:
    body = github_comment.body_of("x" * 100_000)
    assert len(body) <= github_comment.MAX_BODY
    assert body.startswith(github_comment.MARKER) and "cut to fit" in body
    short = github_comment.body_of("### driftgate: clean\n")
    assert short == github_comment.MARKER + "\n### driftgate: clean\n"


def test_only_http_apis_are_targets() -> None:
    event = {"pull_request": {"number": 3}}
    env = {"GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": "file:///etc"}
    assert github_comment.target_from(env, event, TOKEN) is None
    env["GITHUB_API_URL"] = "https://ghe.acme.io/api/v3/"
    target = github_comment.target_from(env, event, TOKEN)
    assert target is not None and (target.api, target.number) == ("https://ghe.acme.io/api/v3", 3)


def test_a_comment_someone_else_wrote_with_the_marker_is_left_alone(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pasted: dict[str, Any] = {
        "id": 11,
        "body": f"{github_comment.MARKER} quoting the bot",
        "user": HUMAN,
    }
    inside = {"id": 12, "body": f"see {github_comment.MARKER}", "user": BOT}
    api.comments[1] = [pasted, inside]
    r = pr_runner(tmp_path, api)
    run_action(r, capsys, monkeypatch)
    assert [m for m, _ in api.calls()] == ["GET", "POST"]
    assert pasted["body"].endswith("quoting the bot") and len(api.comments[1]) == 3


def test_a_personal_token_finds_its_own_comment_by_login(
    tmp_path: Path,
    api: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.login = "ci-user"
    bots = {"id": 21, "body": f"{github_comment.MARKER}\nanother bot", "user": BOT}
    mine = {"id": 22, "body": f"{github_comment.MARKER}\nold", "user": {"login": "ci-user"}}
    api.comments[1] = [bots, mine]
    r = pr_runner(tmp_path, api)
    run_action(r, capsys, monkeypatch)
    assert api.calls()[-1] == ("PATCH", f"/repos/{REPO}/issues/comments/22")


def test_a_cut_report_closes_the_code_block_it_was_in() -> None:
    report = "### driftgate\n\n```suggestion\n" + "x = 1\n" * 20_000 + "```\n"
    body = github_comment.body_of(report)
    assert len(body) <= github_comment.MAX_BODY
    assert body.count("```") % 2 == 0 and "cut to fit" in body.splitlines()[-1]

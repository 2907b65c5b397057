"""The Action's pull-request comment: one comment, found again by a hidden marker and
updated in place on every push, through GitHub's REST API with the workflow's token.

This is the only code of driftgate that talks to a network, and only in the Action when
its ``comment`` input asks for it; the analyzer itself never does. Failing to comment
never fails the gate: a fork's read-only token, an API error or an unreachable host is
said in the log and the job summary, and the scan's own result stands.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# Marks driftgate's comment among the pull request's; HTML comments are not rendered.
MARKER = "<!-- driftgate:pull-request-report -->"
# GitHub refuses a comment body over 65,536 characters.
MAX_BODY = 65_536
# Comments read per page while looking for ours (the API's maximum), and pages at most:
# a pull request with more than 3,000 comments gets a new one rather than a long search.
PER_PAGE = 100
MAX_PAGES = 30
TIMEOUT = 20.0

Mode = Literal["true", "false", "on-findings"]
MODES: tuple[Mode, ...] = ("true", "false", "on-findings")


class CommentError(Exception):
    """The comment could not be written; ``status`` is the HTTP status, 0 without one."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Target:
    """Where the comment goes: the API, the repository ("owner/name"), the pull request."""

    api: str
    repository: str
    number: int
    token: str


@dataclass(frozen=True, slots=True)
class Outcome:
    # "created", "updated", or "skipped" (nothing to say and no earlier comment).
    action: str
    comment_id: int | None = None
    url: str | None = None


def target_from(environ: Mapping[str, str], event: Mapping[str, Any], token: str) -> Target | None:
    """The pull request the workflow runs for; None when it runs for none (a push)."""
    pull = event.get("pull_request")
    number = pull.get("number") if isinstance(pull, Mapping) else None
    if number is None:
        number = event.get("number") if "pull_request" in event else None
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not isinstance(number, int) or "/" not in repository:
        return None
    api = (environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
    if not api.startswith(("https://", "http://")):
        return None  # urllib would open file:// and others too
    return Target(api, repository, number, token)


def body_of(markdown: str) -> str:
    """The comment's body: the marker, then the report, cut to GitHub's limit at a line
    (a code block left open by the cut is closed)."""
    head = MARKER + "\n"
    room = MAX_BODY - len(head)
    if len(markdown) > room:
        note = "\n… (cut to fit a comment: the job summary and SARIF have it all)\n"
        kept = markdown[: room - len(note) - 16]
        kept = kept[: kept.rfind("\n") + 1]
        fence = _open_fence(kept)
        markdown = kept + (fence + "\n" if fence else "") + note
    return head + markdown


def _open_fence(text: str) -> str | None:
    """The fence of a code block ``text`` leaves open, if any."""
    fence: str | None = None
    for line in text.splitlines():
        ticks = len(line) - len(line.lstrip("`"))
        if fence is None and ticks >= 3:
            fence = "`" * ticks
        elif fence is not None and line.strip() == fence:
            fence = None
    return fence


def upsert(target: Target, markdown: str, *, has_findings: bool, mode: Mode) -> Outcome:
    """Create driftgate's comment, or update the one an earlier push wrote.

    ``on-findings`` writes a new comment only when there are findings, but always
    updates an earlier one, so that a pull request that fixed its findings does not keep
    a comment that says otherwise."""
    client = _Client(target)
    existing = client.find()
    body = body_of(markdown)
    if existing is not None:
        data = _object(client.request("PATCH", f"/issues/comments/{existing}", {"body": body}))
        return Outcome("updated", existing, _str(data.get("html_url")))
    if mode == "on-findings" and not has_findings:
        return Outcome("skipped")
    data = _object(client.request("POST", f"/issues/{target.number}/comments", {"body": body}))
    created = data.get("id")
    return Outcome(
        "created", created if isinstance(created, int) else None, _str(data.get("html_url"))
    )


def explain(error: CommentError, target: Target) -> str:
    """What went wrong, in words for the job summary (never the token)."""
    where = f"{target.repository}#{target.number}"
    if error.status in (401, 403, 404):
        return (
            f"driftgate could not comment on {where} (HTTP {error.status}): the workflow's"
            " token may not write to pull requests. A pull request from a fork gets a"
            " read-only token; otherwise give the job `permissions: pull-requests: write`."
            " The report is in this summary."
        )
    return f"driftgate could not comment on {where}: {error}. The report is in this summary."


class _Client:
    def __init__(self, target: Target) -> None:
        self._target = target
        self._base = f"{target.api}/repos/{target.repository}"

    def find(self) -> int | None:
        """The id of the comment an earlier run wrote: it starts with the marker and its
        author is the token's own user, or a bot when the token cannot say who it is (the
        workflow's token). Anyone may paste the marker; their comment is not ours."""
        me = self.whoami()
        for page in range(1, MAX_PAGES + 1):
            path = f"/issues/{self._target.number}/comments?per_page={PER_PAGE}&page={page}"
            items = self.request("GET", path)
            if not isinstance(items, list):
                raise CommentError("the API answered the comment list with something else")
            for item in items:
                if isinstance(item, dict) and _ours(item, me):
                    found = item.get("id")
                    if isinstance(found, int):
                        return found
            if len(items) < PER_PAGE:
                return None
        return None

    def whoami(self) -> str | None:
        """The token's login, or None for a token that is no user's (an app's, such as
        the workflow's GITHUB_TOKEN, which GET /user refuses)."""
        try:
            data = self.request("GET", "/user", base=self._target.api)
        except CommentError:
            return None
        login = data.get("login") if isinstance(data, dict) else None
        return login if isinstance(login, str) else None

    def request(
        self,
        method: str,
        path: str,
        payload: dict[str, str] | None = None,
        *,
        base: str | None = None,
    ) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            (base if base is not None else self._base) + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self._target.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "driftgate-action",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise CommentError(
                f"{method} {path.split('?')[0]}: HTTP {exc.code}", exc.code
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise CommentError(f"cannot reach {self._target.api}: {reason}") from None
        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            raise CommentError(f"{method} {path.split('?')[0]}: the answer is not JSON") from None


def _ours(comment: dict[str, Any], me: str | None) -> bool:
    if not str(comment.get("body", "")).startswith(MARKER):
        return False
    user = comment.get("user")
    if not isinstance(user, dict):
        return False
    if me is not None:
        return bool(user.get("login") == me)
    return bool(user.get("type") == "Bot")


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CommentError("the API answered with something other than an object")
    return data


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None

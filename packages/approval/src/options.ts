import { ConfigError } from "@qlik-cicd/common";
import type { Logger, PathPolicy } from "@qlik-cicd/common";

export type ApprovalMode = "environment" | "issue";
export const APPROVAL_MODES: readonly ApprovalMode[] = ["environment", "issue"];

export const DEFAULT_APPROVE_KEYWORDS = ["approve", "approved", "lgtm", "yes"];
export const DEFAULT_DENY_KEYWORDS = ["deny", "denied", "no"];

/** Where the gate runs: the repository, the workflow run and the commit being deployed. */
export interface ApprovalContext {
  owner: string;
  repo: string;
  runId: number;
  runAttempt?: number;
  /** Login of whoever triggered the run (`GITHUB_ACTOR`). */
  actor: string;
  /** Who started this attempt when it differs from `actor` (`GITHUB_TRIGGERING_ACTOR`, a re-run). */
  triggeringActor?: string;
  /** Commit being deployed (`GITHUB_SHA`). */
  sha: string;
  /** `GITHUB_SERVER_URL`, default https://github.com. */
  serverUrl?: string;
  /** A pull request run: the authors and committers of its commits may not approve. */
  pullRequestNumber?: number;
  /**
   * A push run: the pushed range (`before` absent when the push created the branch); the authors and
   * committers of every commit in it may not approve.
   */
  push?: { before?: string; after: string };
}

export interface ApprovalOptions extends ApprovalContext {
  mode: ApprovalMode;
  /** GitHub logins and `org/team` slugs; a string is split on commas, spaces and newlines. */
  approvers: string[] | string;
  minimumApprovals?: number;
  allowSelfApproval?: boolean;
  /** Issue mode: how long to wait for a decision (0 = look once). Default 60. */
  timeoutMinutes?: number;
  /** Issue mode: seconds between polls. Default 30. */
  pollSeconds?: number;
  approveKeywords?: string[];
  denyKeywords?: string[];
  /**
   * Any denial from a listed approver denies (default): a deny comment in issue mode, a rejected
   * environment review in environment mode. When false, denials need the same quorum as approvals.
   */
  denyWins?: boolean;
  /** Markdown text, and/or lines naming report files (JSON or markdown), relative to `workspace`. */
  evidence?: string;
  workspace?: string;
  /** How evidence file paths resolve; a confining policy refuses files outside the workspace. */
  evidencePaths?: PathPolicy;
  /** What is approved, e.g. the app name or id. */
  subject?: string;
  /** Where it goes, e.g. a space or tenant. */
  target?: string;
  logger?: Logger;
  /** Injectable clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TeamRef {
  org: string;
  slug: string;
}

export interface ApprovalPolicy {
  mode: ApprovalMode;
  /** Lower-cased individual logins. */
  users: string[];
  teams: TeamRef[];
  /** As given, for people (e.g. `alice`, `acme/ops`). */
  approverList: string[];
  minimumApprovals: number;
  allowSelfApproval: boolean;
  timeoutMinutes: number;
  pollSeconds: number;
  approveKeywords: string[];
  denyKeywords: string[];
  denyWins: boolean;
}

const USER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM_SLUG_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Splits and validates the approver list: `alice`, `@bob`, `acme/ops`, `@acme/ops`. */
export function parseApprovers(input: string[] | string): {
  users: string[];
  teams: TeamRef[];
  list: string[];
} {
  const raw = (Array.isArray(input) ? input : input.split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
  const users: string[] = [];
  const teams: TeamRef[] = [];
  const list: string[] = [];
  for (const entry of raw) {
    const value = entry.replace(/^@/, "");
    const slash = value.indexOf("/");
    if (slash >= 0) {
      const org = value.slice(0, slash);
      const slug = value.slice(slash + 1);
      if (!USER_RE.test(org) || !TEAM_SLUG_RE.test(slug)) {
        throw new ConfigError(`Input 'approvers' has '${entry}', which is not a valid org/team slug.`, {
          field: "approvers",
        });
      }
      const key = `${org.toLowerCase()}/${slug.toLowerCase()}`;
      if (!teams.some((t) => `${t.org}/${t.slug}` === key)) {
        teams.push({ org: org.toLowerCase(), slug: slug.toLowerCase() });
        list.push(`${org}/${slug}`);
      }
    } else {
      if (!USER_RE.test(value)) {
        throw new ConfigError(`Input 'approvers' has '${entry}', which is not a valid GitHub username.`, {
          field: "approvers",
        });
      }
      if (!users.includes(value.toLowerCase())) {
        users.push(value.toLowerCase());
        list.push(value);
      }
    }
  }
  return { users, teams, list };
}

function keywordList(value: string[] | undefined, fallback: string[], field: string): string[] {
  const list = (value ?? fallback).map((k) => k.trim().toLowerCase()).filter(Boolean);
  if (list.length === 0) throw new ConfigError(`Input '${field}' must list at least one keyword.`, { field });
  return [...new Set(list)];
}

/** Checks every input and returns the policy; a ConfigError names the input at fault. */
export function resolvePolicy(options: ApprovalOptions): ApprovalPolicy {
  if (!APPROVAL_MODES.includes(options.mode)) {
    throw new ConfigError(
      `Input 'mode' must be one of ${APPROVAL_MODES.join(", ")}, got '${options.mode}'.`,
      {
        field: "mode",
      },
    );
  }
  const { users, teams, list } = parseApprovers(options.approvers ?? []);
  if (list.length === 0) {
    throw new ConfigError("Input 'approvers' lists nobody: name at least one GitHub user or org/team.", {
      field: "approvers",
    });
  }
  const minimumApprovals = options.minimumApprovals ?? 1;
  if (!Number.isInteger(minimumApprovals) || minimumApprovals < 1) {
    throw new ConfigError(
      `Input 'minimum-approvals' must be a whole number of at least 1, got '${minimumApprovals}'.`,
      {
        field: "minimum-approvals",
      },
    );
  }
  if (teams.length === 0 && minimumApprovals > users.length) {
    throw new ConfigError(
      `Input 'minimum-approvals' is ${minimumApprovals} but 'approvers' lists only ${users.length} ${users.length === 1 ? "person" : "people"}, so the gate could never pass.`,
      { field: "minimum-approvals" },
    );
  }
  const timeoutMinutes = options.timeoutMinutes ?? 60;
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes < 0) {
    throw new ConfigError(`Input 'timeout-minutes' must be 0 or more, got '${timeoutMinutes}'.`, {
      field: "timeout-minutes",
    });
  }
  const pollSeconds = options.pollSeconds ?? 30;
  if (!Number.isFinite(pollSeconds) || pollSeconds < 1) {
    throw new ConfigError(`Input 'poll-seconds' must be at least 1, got '${pollSeconds}'.`, {
      field: "poll-seconds",
    });
  }
  const approveKeywords = keywordList(options.approveKeywords, DEFAULT_APPROVE_KEYWORDS, "approve-keywords");
  const denyKeywords = keywordList(options.denyKeywords, DEFAULT_DENY_KEYWORDS, "deny-keywords");
  const overlap = approveKeywords.filter((k) => denyKeywords.includes(k));
  if (overlap.length > 0) {
    throw new ConfigError(`Inputs 'approve-keywords' and 'deny-keywords' both list '${overlap[0]}'.`, {
      field: "deny-keywords",
    });
  }
  if (!options.owner || !options.repo) {
    throw new ConfigError("The repository is unknown: set GITHUB_REPOSITORY to owner/name.", {
      field: "GITHUB_REPOSITORY",
    });
  }
  if (!Number.isInteger(options.runId) || options.runId <= 0) {
    throw new ConfigError("The workflow run id is unknown: set GITHUB_RUN_ID.", { field: "GITHUB_RUN_ID" });
  }
  if (!options.sha) throw new ConfigError("The commit is unknown: set GITHUB_SHA.", { field: "GITHUB_SHA" });
  if (!options.actor)
    throw new ConfigError("The run's actor is unknown: set GITHUB_ACTOR.", { field: "GITHUB_ACTOR" });
  return {
    mode: options.mode,
    users,
    teams,
    approverList: list,
    minimumApprovals,
    allowSelfApproval: options.allowSelfApproval ?? false,
    timeoutMinutes,
    pollSeconds,
    approveKeywords,
    denyKeywords,
    denyWins: options.denyWins ?? true,
  };
}

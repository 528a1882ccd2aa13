import { CicdError } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import {
  GitHubApiError,
  getTeam,
  getTeamMembershipState,
  type CommitAccount,
  type GitHubClient,
} from "@qlik-cicd/github";
import { deployedCommits, type CommitsCheck } from "./deployed-commits.ts";
import type { ApprovalContext, ApprovalPolicy, TeamRef } from "./options.ts";

/** The team's membership cannot be read with this token (typically the default workflow token). */
export function teamReadError(team: TeamRef, status: number, cause?: unknown): CicdError {
  return new CicdError(
    `Cannot read team '${team.org}/${team.slug}' listed in 'approvers' (GitHub answered ${status}): the team does not exist or the token cannot read organisation teams, which the default workflow token never can.`,
    {
      hint: "Pass a GitHub App token or a personal access token with the organisation 'members: read' permission in 'github-token'.",
      cause,
    },
  );
}

/** Decides whether a login is a listed approver (directly or through an active team membership). */
export class ApproverDirectory {
  private readonly client: GitHubClient;
  private readonly policy: ApprovalPolicy;
  private readonly logger: Logger;
  private readonly cache = new Map<string, string | null>();
  private teamsChecked = false;

  constructor(client: GitHubClient, policy: ApprovalPolicy, logger: Logger) {
    this.client = client;
    this.policy = policy;
    this.logger = logger;
  }

  /** Fails fast, before anyone is asked, when a listed team cannot be read with this token. */
  async checkTeamsReadable(): Promise<void> {
    if (this.teamsChecked) return;
    for (const team of this.policy.teams) {
      let found: unknown;
      try {
        found = await getTeam(this.client, { org: team.org, teamSlug: team.slug });
      } catch (error) {
        if (error instanceof GitHubApiError && (error.status === 403 || error.status === 401)) {
          throw teamReadError(team, error.status, error);
        }
        throw error;
      }
      if (found === null) throw teamReadError(team, 404);
    }
    this.teamsChecked = true;
  }

  /** How the login qualifies (`user` or `org/team`), or null when it is not an approver. */
  async qualifies(login: string): Promise<string | null> {
    const key = login.toLowerCase();
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    let via: string | null = null;
    if (this.policy.users.includes(key)) via = "user";
    else if (this.policy.teams.length > 0) {
      await this.checkTeamsReadable();
      for (const team of this.policy.teams) {
        let state: string;
        try {
          state = await getTeamMembershipState(this.client, {
            org: team.org,
            teamSlug: team.slug,
            username: login,
          });
        } catch (error) {
          if (error instanceof GitHubApiError && (error.status === 403 || error.status === 401)) {
            throw teamReadError(team, error.status, error);
          }
          throw error;
        }
        if (state === "active") {
          via = `${team.org}/${team.slug}`;
          break;
        }
      }
    }
    this.logger.debug(`${login}: ${via ? `approver via ${via}` : "not an approver"}`);
    this.cache.set(key, via);
    return via;
  }
}

/** A bot account (GitHub's type, or the `[bot]` suffix of app logins). */
export function isBot(user: { login: string; type?: string } | null | undefined): boolean {
  return !!user && (user.type === "Bot" || /\[bot\]$/i.test(user.login));
}

/**
 * GitHub's own committer for commits made on github.com (web edits, merges from the pull request page):
 * not a person, so never listed as barred.
 */
const WEB_FLOW = "web-flow";

const person = (a: CommitAccount | null): string | undefined =>
  a && !isBot(a) && a.login.toLowerCase() !== WEB_FLOW ? a.login : undefined;

/**
 * People who may not approve, with the reason for each (lower-cased login → reason): the run's actor,
 * whoever re-ran it, and the authors and committers of every commit the run deploys. Also how those
 * commits were found. Nobody is barred when self-approval is allowed. Throws UnverifiedCommitsError when
 * the deployed commits cannot be listed.
 */
export async function barredApprovers(
  client: GitHubClient,
  context: ApprovalContext,
  policy: ApprovalPolicy,
  environments: string[],
  logger: Logger,
): Promise<{ excluded: Map<string, string>; checks: CommitsCheck[] }> {
  const excluded = new Map<string, string>();
  if (policy.allowSelfApproval) {
    return {
      excluded,
      checks: [
        {
          method: "none",
          head: context.sha,
          count: 0,
          description:
            "Not checked: allow-self-approval lets the run's actor and the commits' people approve.",
        },
      ],
    };
  }
  const add = (login: string | null | undefined, reason: string) => {
    if (login && !excluded.has(login.toLowerCase())) excluded.set(login.toLowerCase(), reason);
  };
  add(context.actor, "started the run");
  add(context.triggeringActor, "re-ran the workflow");
  const { commits, checks } = await deployedCommits(client, context, environments, logger);
  for (const c of commits) {
    const author = person(c.author);
    add(author, `authored commit ${c.sha.slice(0, 7)}`);
    const committer = person(c.committer);
    if (committer && committer.toLowerCase() !== author?.toLowerCase()) {
      add(committer, `committed commit ${c.sha.slice(0, 7)}`);
    }
  }
  return { excluded, checks };
}

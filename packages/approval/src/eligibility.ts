import { CicdError } from "@qlik-cicd/common";
import type { Logger } from "@qlik-cicd/common";
import {
  GitHubApiError,
  getCommitLogins,
  getTeam,
  getTeamMembershipState,
  listPullRequestAuthors,
  type GitHubClient,
} from "@qlik-cicd/github";
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

/**
 * People who may not approve: the run's actor and the authors of the commits being deployed, with the
 * reason for each (lower-cased login → reason). Empty when self-approval is allowed.
 */
export async function excludedApprovers(
  client: GitHubClient,
  context: ApprovalContext,
  policy: ApprovalPolicy,
): Promise<Map<string, string>> {
  const excluded = new Map<string, string>();
  if (policy.allowSelfApproval) return excluded;
  const add = (login: string | null | undefined, reason: string) => {
    if (login && !excluded.has(login.toLowerCase())) excluded.set(login.toLowerCase(), reason);
  };
  add(context.actor, "started the run");
  add(context.triggeringActor, "re-ran the workflow");
  const { author } = await getCommitLogins(client, {
    owner: context.owner,
    repo: context.repo,
    sha: context.sha,
  });
  add(author, `authored commit ${context.sha.slice(0, 7)}`);
  if (context.pullRequestNumber) {
    const authors = await listPullRequestAuthors(client, {
      owner: context.owner,
      repo: context.repo,
      pullNumber: context.pullRequestNumber,
    });
    for (const login of authors)
      add(login, `authored a commit of pull request #${context.pullRequestNumber}`);
  }
  return excluded;
}

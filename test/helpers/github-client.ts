// The product's own GitHub client (actions/_shared's factory) pointed at a GitHub double, for tests that
// call libraries in process. Writes are not spaced a second apart, so a test's many writes stay fast.
import type { GitHubClient } from "@qlik-cicd/github";
import { createGitHubClient, type GitHubClientOptions } from "../../actions/_shared/src/github.ts";
import type { GitHubDouble } from "./github-double.ts";

const DOUBLE_TOKEN = "ghs_doubleTestToken0123456789";

export function githubClientFor(
  double: GitHubDouble,
  options: Partial<GitHubClientOptions> = {},
): GitHubClient {
  return createGitHubClient({ token: DOUBLE_TOKEN, apiUrl: double.url, spaceWrites: false, ...options });
}

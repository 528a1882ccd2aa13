// Exercises the HTTP stack the bundles carry, run as a child process by test/contracts/bundle-transport
// from source or bundled with the bundles' own esbuild options: qlik-client (undici pools, proxy from
// the environment, through Node's fetch) and @actions/github (Octokit on undici's fetch with
// @actions/http-client's proxy dispatcher). Prints one JSON line.
import { getOctokit } from "@actions/github";
import { getSpaces } from "@qlik/api/spaces";
import { QlikClient } from "@qlik-cicd/qlik-client";

const tenantUrl = process.env.PROBE_TENANT_URL!;

const client = new QlikClient({ tenantUrl, apiKey: "probe-api-key" }, { retry: { maxAttempts: 1 } });
const spaces: (string | undefined)[] = [];
try {
  for (let i = 0; i < 5; i++) {
    const result = await client.call({ tier: "read", method: "GET", resource: "/api/v1/spaces" }, (opts) =>
      getSpaces({}, opts),
    );
    spaces.push(result.data.data?.[0]?.name);
  }
} finally {
  await client.close();
}

// Base URL and proxy both come from GITHUB_API_URL, as on a runner.
const octokit = getOctokit("probe-token");
const repo = await octokit.rest.repos.get({ owner: "octo", repo: "probe" });

process.stdout.write(`${JSON.stringify({ spaces, repository: repo.data.full_name })}\n`);

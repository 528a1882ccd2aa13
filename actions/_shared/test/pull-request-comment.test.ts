// One pull-request comment per marker, created once and then updated in place (validate-app and
// evaluate-app), against the GitHub double; outside a pull request nothing is written, and a failure is
// a warning, not the step's outcome.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { evaluationComment } from "@qlik-cicd/delivery";
import { evaluationReport } from "../../../packages/delivery/test/evaluation-report-fixture.ts";
import { startGitHubDouble, type GitHubDouble } from "../../../test/helpers/github-double.ts";
import { upsertPullRequestComment } from "../src/pull-request-comment.ts";

const TOKEN = "ghs_commenttesttoken123";
let double: GitHubDouble;
const saved = { ...process.env };

beforeAll(async () => {
  double = await startGitHubDouble({ tokens: [TOKEN] });
  process.env.GITHUB_API_URL = double.url;
});

afterAll(async () => {
  process.env = saved;
  await double.close();
});

describe("upsertPullRequestComment", () => {
  it("creates the comment once, then updates the same comment on the next run", async () => {
    const repo = double.repo("acme/bi-apps");
    repo.addPull({ number: 7, head: "change" });
    repo.addComment(7, { login: "reviewer", body: "Looks good to me" });
    const pr = { owner: "acme", repo: "bi-apps", number: 7 };
    const post = (ms: number) =>
      upsertPullRequestComment({
        token: TOKEN,
        pr,
        what: "performance",
        ...evaluationComment(evaluationReport(ms)),
      });

    const created = await post(500);
    const mine = repo.comments.find((c) => c.body.includes("<!-- qlik-evaluate-app:Sales Analytics -->"))!;
    expect(created).toBe(`https://github.com/acme/bi-apps/pull/7#issuecomment-${mine.id}`);
    expect(mine.body).toContain("### ❌ Performance gate failed: Sales Analytics");
    expect(double.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);

    const updated = await post(110);
    expect(updated).toBe(created);
    expect(repo.comments).toHaveLength(2);
    expect(mine.body).toContain("### ✅ Performance gate passed: Sales Analytics");
    expect(mine.body).toContain("<!-- qlik-evaluate-app:Sales Analytics -->");
    expect(double.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(double.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it("writes nothing outside a pull request or without a token, and only warns when GitHub refuses", async () => {
    double.requests.length = 0;
    delete process.env.GITHUB_EVENT_NAME;
    const body = { marker: "qlik-validate-app:apps/x", body: "b", what: "validation" };
    expect(await upsertPullRequestComment({ token: TOKEN, ...body })).toBeUndefined();
    expect(await upsertPullRequestComment({ token: undefined, ...body })).toBeUndefined();
    expect(double.requests).toEqual([]);

    const pr = { owner: "acme", repo: "missing", number: 1 };
    expect(await upsertPullRequestComment({ token: TOKEN, pr, ...body })).toBeUndefined();
    expect(double.requests.map((r) => r.status)).toEqual([404]);
  });
});

// Credentials a user can write into what the tools read — the load script (CONNECT TO strings with
// password= / pwd=, ODBC `XUserId is … XPassword is …`, a SET of a password variable), connections.yml,
// variables.json, a parameters file and a tenant inventory — never come back out of them: not on stdout
// or stderr, in GITHUB_OUTPUT, the step summary, annotations, the audit lines, reports, the files left to
// upload as artifacts, pull request comments and bodies, or the CLI's --json. The bundled actions run as
// the runner runs them, against the simulator; the CLI as a user runs it. Every run also shows that the
// path quoting the text was taken (the redacted form is there), so nothing passes by not looking.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { unbuildApp, writeAppTree } from "@qlik-cicd/app-files";
import { QlikClient } from "@qlik-cicd/qlik-client";
import { startSimulator, type RunningSimulator } from "@qlik-cicd/simulator";
import { startGitHubDouble, type GitHubDouble, type GitHubRepo } from "../helpers/github-double.ts";
import { createRepo, sh, type TestRepo } from "../../packages/git/test/helpers.ts";
import { runCli, type Spawned } from "../cli/spawn.ts";
import { runBundledAction, type ActionRun } from "../helpers/run-bundled-action.ts";

/** Every credential the test writes, by where it is written. */
const CREDENTIALS = {
  libConnect: "Hunter2-LibConnect", // LIB CONNECT TO "Db (user=admin;password=…)"
  oleDbPwd: "Pwd-OleDb-7731", // OLEDB CONNECT TO [Provider=…;pwd=…]
  odbcUser: "XUid9Scrambled", // ODBC CONNECT TO … (XUserId is …,
  odbcPassword: "XPwd7Scrambled", //                    XPassword is …)
  scriptVariable: "Script-SetVar-Pwd-31", // SET vDbPassword = '…'
  connectionsUrl: "ConnYml-UrlPwd-66", // connections.yml: url=https://svc:…@host
  connectionsPwd: "ConnYml-Pwd-55", // connections.yml: PWD=…
  variableFile: "VarFile-Pwd-21", // variables.json: Server=db;Pwd=…
  parameterUrl: "Param-UrlPwd-77", // parameters file: connectionString url=https://svc:…@host
  parameterPwd: "Param-Pwd-88", // parameters file: connectionString …;password=…
  parameterVariable: "Param-Var-Pwd-10", // parameters file: variable value Server=db;Password=…
  inventoryUrl: "Inventory-UrlPwd-51", // inventory: connectionString url=https://svc:…@host
  inventoryVariable: "Inventory-Var-Pwd-41", // inventory: variable value Server=db;Password=…
};
/** Given as { secret: DB_PASS }: registered, so the runner's own ::add-mask:: line is the one place for it. */
const REGISTERED_SECRET = "Param-Secret-99";
const TOKEN = "ghs_credentialsToken0123456789";

let sim: RunningSimulator;
let tenant: { url: string; apiKey: string; name: string };
let client: QlikClient;
let repo: TestRepo;
let github: GitHubDouble;
let sales: GitHubRepo;
/** The pull request validate-app comments on (seeded; GitHub answers 404 for one that does not exist). */
const VALIDATED_PULL = 7;
let scratch: string;
let baseSha: string;

/** A fresh RUNNER_TEMP for one run: the audit file, reports and anything else the action leaves there. */
function runnerTemp(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function files(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if (!skip(relative(dir, file))) out.push(file);
  }
  return out.sort();
}

/** Where a run's text can end up, each named for the failure message. */
type Places = Record<string, string>;

function actionPlaces(run: ActionRun | Spawned, temp: string): Places {
  const places: Places = {
    // The runner's mask command is how it learns a secret; every other line must be clean.
    stdout: run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n"),
    stderr: run.stderr,
  };
  if ("outputs" in run) {
    places.GITHUB_OUTPUT = JSON.stringify(run.outputs);
    places["step summary"] = run.summary;
    places.annotations = run.errors.join("\n");
  }
  for (const file of files(temp)) places[`file ${relative(scratch, file)}`] = readFileSync(file, "utf8");
  return places;
}

/**
 * Files the workspace gained. Left out: git, and what the user wrote there — the app folders (their
 * script), the parameters file and the inventory — with the rollout's working copy of each tenant's
 * parameters from that inventory (never uploaded).
 */
function workspacePlaces(): Places {
  const places: Places = {};
  const inputs = ["apps/", ".git/", "params.yml", "tenants.yml", "out/rollout-work/parameters/"];
  const skip = (rel: string) => inputs.some((i) => rel === i || rel.startsWith(i));
  for (const file of files(repo.work, skip))
    places[`workspace ${relative(repo.work, file)}`] = readFileSync(file, "utf8");
  return places;
}

function expectNoCredential(places: Places): void {
  const found: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [what, value] of Object.entries(CREDENTIALS))
      if (text.includes(value)) found.push(`${what} in ${where}`);
    if (text.includes(REGISTERED_SECRET)) found.push(`the registered secret in ${where}`);
  }
  expect(found).toEqual([]);
}

function all(places: Places): string {
  return Object.values(places).join("\n");
}

/** Adds (or replaces) the Warehouse connection in the app folder's connections.yml. */
function setWarehouse(dir: string, connectionString: string): void {
  const file = join(dir, "connections.yml");
  const text = readFileSync(file, "utf8").replace(/\n {2}Warehouse:\n[\s\S]*$/, "\n");
  writeFileSync(
    file,
    `${text.trimEnd()}\n  Warehouse:\n    type: ODBC\n    connectionstring: "${connectionString}"\n`,
  );
}

/** Seeds every credential into the app folder `dir` (an unbuilt copy of the seeded app). */
function seedCredentials(dir: string): void {
  const script = readFileSync(join(dir, "script.qvs"), "utf8").split("\n");
  const lines = [
    `LIB CONNECT TO "Db (user=admin;password=${CREDENTIALS.libConnect})";`,
    `OLEDB CONNECT TO [Provider=SQLOLEDB;Data Source=db;User ID=sa;pwd=${CREDENTIALS.oleDbPwd};];`,
    `ODBC CONNECT TO [Sales DSN] (XUserId is ${CREDENTIALS.odbcUser}, XPassword is ${CREDENTIALS.odbcPassword});`,
    `SET vDbPassword = '${CREDENTIALS.scriptVariable}';`,
  ];
  // One line at the top of each of the first sections, so each is its section's "first new line".
  const tabs = script.flatMap((l, i) => (l.startsWith("///$tab ") ? [i] : []));
  expect(tabs.length).toBeGreaterThanOrEqual(lines.length);
  for (let k = lines.length - 1; k >= 0; k--) script.splice(tabs[k] + 1, 0, lines[k]);
  writeFileSync(join(dir, "script.qvs"), script.join("\n"));

  setWarehouse(
    dir,
    `DSN=wh;url=https://svc:${CREDENTIALS.connectionsUrl}@files.example.com/x;PWD=${CREDENTIALS.connectionsPwd}`,
  );

  const variables = JSON.parse(readFileSync(join(dir, "variables.json"), "utf8")) as Record<
    string,
    unknown
  >[];
  const variable = (name: string, definition: string) => ({
    ...variables[0],
    qInfo: { qId: name, qType: "variable" },
    qName: name,
    qDefinition: definition,
  });
  variables.push(variable("vDbConn", `Server=db;Pwd=${CREDENTIALS.variableFile}`));
  writeFileSync(join(dir, "variables.json"), `${JSON.stringify(variables, null, 2)}\n`);
}

beforeAll(async () => {
  sim = await startSimulator({
    tenants: 1,
    seed: "demo",
    timings: { reloadMs: 20, evaluationMs: 30, publishAccessWindowMs: 0 },
  });
  tenant = sim.description.tenants[0];
  client = new QlikClient({ tenantUrl: tenant.url, apiKey: tenant.apiKey });
  repo = createRepo("credentials-");
  github = await startGitHubDouble({ tokens: [TOKEN] });
  sales = github.repo("acme/sales");
  sales.addPull({ number: VALIDATED_PULL, head: "change", base: "main" });
  scratch = mkdtempSync(join(tmpdir(), "credentials-out-"));

  // main: the seeded app as it is, deployed to test (so later deploys show a diff against it).
  const state = sim.control.state(tenant.name);
  const development = state.spaces.find((sp) => sp.name === "development")?.id;
  const devAppId = state.apps.find((a) => a.name === "Sales Analytics" && a.spaceId === development)
    ?.id as string;
  const tree = await client.withApp(devAppId, (doc) => unbuildApp(doc));
  await writeAppTree(join(repo.work, "apps", "sales"), tree);
  setWarehouse(join(repo.work, "apps", "sales"), "DSN=wh");
  await writeAppTree(join(repo.work, "apps", "sales-base"), tree);
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "base app");
  sh(repo.work, "push", "--quiet", "origin", "main");
  baseSha = sh(repo.work, "rev-parse", "HEAD");
  const base = await runBundledAction("deploy-to-space", {
    inputs: { "tenant-url": tenant.url, "api-key": tenant.apiKey, source: "apps/sales", space: "test" },
    workspace: repo.work,
    env: { RUNNER_TEMP: runnerTemp("setup") },
  });
  expect(base.errors).toEqual([]);

  // The pull request: credentials everywhere a user can write them.
  sh(repo.work, "checkout", "--quiet", "-b", "feature");
  seedCredentials(join(repo.work, "apps", "sales"));
  writeFileSync(
    join(repo.work, "params.yml"),
    [
      "environments:",
      "  test:",
      "    variables:",
      `      vDbConn: "Server=db;Password=${CREDENTIALS.parameterVariable}"`,
      "    connections:",
      "      Warehouse:",
      `        connectionString: "DSN=uat;url=https://svc:${CREDENTIALS.parameterUrl}@uat.example.com/x;password=${CREDENTIALS.parameterPwd}"`,
      "        username: { env: DB_USER }",
      "        password: { secret: DB_PASS }",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(repo.work, "tenants.yml"),
    [
      "version: 1",
      "tenants:",
      `  - name: customer-1`,
      `    url: ${tenant.url}`,
      "    labels: [canary]",
      "    credentials: { apiKeyEnv: CUSTOMER_1_KEY }",
      "    parameters:",
      `      variables: { vDbConn: "Server=db;Password=${CREDENTIALS.inventoryVariable}" }`,
      "      connections:",
      "        Warehouse:",
      `          connectionString: "DSN=cust;url=https://svc:${CREDENTIALS.inventoryUrl}@cust.example.com/x"`,
      "",
    ].join("\n"),
  );
  sh(repo.work, "add", "-A");
  sh(repo.work, "commit", "--quiet", "-m", "connect to the databases");
}, 60_000);

afterAll(async () => {
  await client?.close();
  await sim?.stop();
  await github?.close();
  repo?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const connection = () => ({ "tenant-url": tenant.url, "api-key": tenant.apiKey });
const SECRET_ENV = { DB_USER: "svc-user", DB_PASS: REGISTERED_SECRET };

describe("credentials written by users never come back out", () => {
  it("validate-app: annotations, outputs, summary and the pull request comment", async () => {
    const temp = runnerTemp("validate-app");
    const eventFile = join(scratch, "event.json");
    writeFileSync(
      eventFile,
      JSON.stringify({
        number: VALIDATED_PULL,
        pull_request: { number: VALIDATED_PULL, base: { sha: baseSha } },
      }),
    );
    const run = await runBundledAction("validate-app", {
      inputs: { path: "apps/sales", "github-token": TOKEN },
      workspace: repo.work,
      env: {
        RUNNER_TEMP: temp,
        GITHUB_REPOSITORY: "acme/sales",
        GITHUB_API_URL: github.url,
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_EVENT_PATH: eventFile,
      },
    });
    expect(run.exitCode).toBe(1); // the hard-coded credentials are lint errors
    const places: Places = {
      ...actionPlaces(run, temp),
      "pull request comments": sales.comments.map((c) => c.body).join("\n"),
      "requests to GitHub": JSON.stringify(github.requests.map((r) => r.body)),
    };
    expectNoCredential(places);
    // The paths that quote the text were taken: lint messages, the diff's first new lines, the comment.
    expect(run.stdout).toContain('Connection "Db (user=admin;password=***)" is not declared');
    const diff = JSON.parse(run.outputs.diff)["apps/sales"] as {
      entries: { details: { after?: string }[] }[];
    };
    const quoted = diff.entries.flatMap((e) => e.details.map((d) => d.after ?? ""));
    expect(quoted).toEqual(
      expect.arrayContaining([
        'LIB CONNECT TO "Db (user=admin;password=***)";',
        "OLEDB CONNECT TO [Provider=SQLOLEDB;Data Source=db;User ID=sa;pwd=***;];",
        "ODBC CONNECT TO [Sales DSN] (XUserId is ***, XPassword is ***);",
        "SET vDbPassword = ***;",
        "Server=db;Pwd=***",
      ]),
    );
    expect(sales.comments).toHaveLength(1);
    expect(sales.comments[0].body).toContain("password=***");
    expect(run.summary).toContain("XUserId is ***");
  });

  it("validate-app through the CLI: --json and the log", async () => {
    const temp = runnerTemp("cli-validate-app");
    const run = await runCli(["validate-app", "--path", "apps/sales", "--base", "main", "--json"], {
      cwd: repo.work,
      env: { RUNNER_TEMP: temp },
    });
    expect(run.exitCode).toBe(1);
    expectNoCredential(actionPlaces(run, temp));
    expect(JSON.parse(run.stdout).diff).toContain("password=***");
    expect(run.stderr).toContain("password=***");
  });

  it("deploy-to-space: a dry run's plan and summary, with the parameters applied", async () => {
    const temp = runnerTemp("deploy-dry-run");
    const run = await runBundledAction("deploy-to-space", {
      inputs: {
        ...connection(),
        source: "apps/sales",
        space: "test",
        parameters: "params.yml",
        "dry-run": true,
      },
      workspace: repo.work,
      env: { RUNNER_TEMP: temp, ...SECRET_ENV },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`::add-mask::${REGISTERED_SECRET}`);
    expectNoCredential(actionPlaces(run, temp));
    // The content diff quotes the script, the connection string and the variable the parameters set.
    const plan = all({ plan: run.outputs.plan, summary: run.summary });
    expect(plan).toContain("password=***");
    expect(plan).toContain("XUserId is ***");
    expect(plan).toContain("Server=db;Password=***");
    // The parameters' connection string reaches the plan without its credentials at all.
    expect(plan).toContain("`DSN=wh` → `DSN=uat;url=https://svc@uat.example.com/x`");
  });

  it("deploy-to-space through the CLI: a dry run with --json", async () => {
    const temp = runnerTemp("cli-deploy");
    const run = await runCli(
      [
        "deploy-to-space",
        "--source",
        "apps/sales",
        "--space",
        "test",
        "--parameters",
        "params.yml",
        "--dry-run",
        "--json",
      ],
      {
        cwd: repo.work,
        env: { RUNNER_TEMP: temp, QLIK_TENANT_URL: tenant.url, QLIK_API_KEY: tenant.apiKey, ...SECRET_ENV },
      },
    );
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.exitCode).toBe(0);
    expectNoCredential(actionPlaces(run, temp));
    expect(JSON.parse(run.stdout).plan).toContain("password=***");
  });

  it("deploy-to-space: a reload that fails on the script's connection, with the audit trail", async () => {
    const temp = runnerTemp("deploy");
    const run = await runBundledAction("deploy-to-space", {
      inputs: { ...connection(), source: "apps/sales", space: "test", parameters: "params.yml" },
      workspace: repo.work,
      env: { RUNNER_TEMP: temp, ...SECRET_ENV },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs["reload-status"]).toBe("FAILED");
    const places = actionPlaces(run, temp);
    expectNoCredential(places);
    // The reload log's error line names the connection (password redacted), in the error and the summary.
    expect(run.errors.join("\n")).toContain("Connection 'Db (user=admin;password=***)' not found");
    expect(run.summary).toContain("Connection 'Db (user=admin;password=***)' not found");
    const audit = Object.keys(places).filter((p) => p.endsWith(".jsonl"));
    expect(audit).toHaveLength(1);
    expect(places[audit[0]].trim().split("\n").length).toBeGreaterThan(3);
  });

  it("evaluate-app: a pull request's files that do not reload", async () => {
    const temp = runnerTemp("evaluate-app");
    const run = await runBundledAction("evaluate-app", {
      inputs: { ...connection(), source: "apps/sales", "report-path": "out/evaluation.json" },
      workspace: repo.work,
      env: { RUNNER_TEMP: temp },
    });
    expect(run.exitCode).toBe(1);
    expectNoCredential({ ...actionPlaces(run, temp), ...workspacePlaces() });
    expect(run.errors.join("\n")).toContain("password=***");
  });

  it("rollout-canary: the state file, report, summary and outputs of a tenant that fails", async () => {
    const temp = runnerTemp("rollout-canary");
    const run = await runBundledAction("rollout-canary", {
      inputs: {
        ...connection(),
        "tenants-file": "tenants.yml",
        source: "apps/sales",
        space: "acceptance",
        "app-name": "Sales Analytics",
        "state-file": "out/rollout-state.json",
        "health-checks": "reload",
      },
      workspace: repo.work,
      env: { RUNNER_TEMP: temp, CUSTOMER_1_KEY: tenant.apiKey },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe("halted");
    const places = { ...actionPlaces(run, temp), ...workspacePlaces() };
    expectNoCredential(places);
    // The tenant's error, as the state file and the report keep it (the files the action uploads).
    expect(places["workspace out/rollout-state.json"]).toContain("password=***");
    expect(readFileSync(run.outputs.report, "utf8")).toContain("password=***");
    expect(run.summary).toContain("password=***");
  });

  it("unbuild-app: the diff of an app holding them, in outputs, summary and the pull request", async () => {
    // The failed deploy left the new version (its script and connection) in the test space's app.
    const temp = runnerTemp("unbuild-app");
    const run = await runBundledAction("unbuild-app", {
      inputs: {
        ...connection(),
        space: "test",
        "app-name": "Sales Analytics",
        path: "apps/sales-base",
        commit: "pull-request",
        "github-token": TOKEN,
        base: "main",
      },
      workspace: repo.work,
      env: {
        RUNNER_TEMP: temp,
        GITHUB_REPOSITORY: "acme/sales",
        GITHUB_API_URL: github.url,
        GITHUB_EVENT_NAME: undefined,
        GITHUB_EVENT_PATH: undefined,
        GITHUB_REF: undefined,
        GITHUB_REF_NAME: undefined,
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const opened = sales.pulls.filter((p) => p.number !== VALIDATED_PULL);
    expect(opened).toHaveLength(1);
    expectNoCredential({
      ...actionPlaces(run, temp),
      "pull request bodies": opened.map((p) => `${p.title}\n${p.body}`).join("\n"),
    });
    expect(run.outputs.diff).toContain("password=***");
    expect(opened[0].body).toContain("password=***");
    // The files on the pull request's branch: connections.yml has no credential of any kind (the
    // deployed connection string came from the parameters file); the script is the user's own.
    const commit = run.outputs["commit-sha"];
    const connections = sh(repo.remote, "show", `${commit}:apps/sales-base/connections.yml`);
    expect(connections).toContain("Warehouse");
    expectNoCredential({ "connections.yml on the branch": connections });
    expect(sh(repo.remote, "show", `${commit}:apps/sales-base/script.qvs`)).toContain("LIB CONNECT TO");
  });
});

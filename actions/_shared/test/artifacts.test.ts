// Downloading a workflow artifact (deploy-to-space 'artifact' given as a name): refused with one
// sentence where there is no artifact storage, and for another run without a token or a valid run id.
import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@qlik-cicd/common";
import { downloadArtifact } from "../src/artifacts.ts";

const runner = {
  ACTIONS_RUNTIME_TOKEN: "runtime",
  ACTIONS_RESULTS_URL: "http://127.0.0.1:9",
  GITHUB_REPOSITORY: "acme/bi",
};

describe("downloadArtifact", () => {
  it("says to give a path where there is no artifact storage", async () => {
    const error = await downloadArtifact({ name: "qlik-app-artifact" }, "/tmp/x", {}).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "Artifact 'qlik-app-artifact' cannot be downloaded here: this is not a GitHub Actions job with artifact storage; give a path instead.",
    );
  });

  it("needs a token (actions: read) and a numeric run id for another run's artifact", async () => {
    const noToken = await downloadArtifact({ name: "a", runId: "123" }, "/tmp/x", runner).catch((e) => e);
    expect((noToken as ConfigError).field).toBe("github-token");
    expect((noToken as Error).message).toMatch(/needs 'github-token' \(with 'actions: read'\)/);
    const badId = await downloadArtifact(
      { name: "a", runId: "last", token: "t0ken" },
      "/tmp/x",
      runner,
    ).catch((e) => e);
    expect((badId as ConfigError).field).toBe("artifact-run-id");
  });
});

// The ONE place that names the third-party actions the example workflows use, the commit each is pinned
// to, and the local stand-in the workflow runner executes instead (test/workflows/runner.ts). The
// examples must pin exactly these commits; the structural test checks it.
import { join } from "node:path";

export interface ThirdPartyAction {
  /** Full commit SHA the examples pin (`uses: owner/name@<sha> # <version>`). */
  sha: string;
  /** The release tag of that commit, written as the comment after the pin. */
  version: string;
  /** Folder under test/local-actions/ with an action.yml (inputs/outputs it supports) and index.ts. */
  standIn: string;
}

export const THIRD_PARTY_ACTIONS: Record<string, ThirdPartyAction> = {
  "actions/checkout": {
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
    standIn: "checkout",
  },
  "actions/create-github-app-token": {
    sha: "1b10c78c7865c340bc4f6099eb2f838309f1e8c3",
    version: "v3.1.1",
    standIn: "create-github-app-token",
  },
  "actions/upload-artifact": {
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    version: "v7.0.0",
    standIn: "upload-artifact",
  },
  "actions/download-artifact": {
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    version: "v8.0.1",
    standIn: "download-artifact",
  },
};

const localActionsDir = import.meta.dirname;

export function standInDir(action: ThirdPartyAction): string {
  return join(localActionsDir, action.standIn);
}

/** Environment the runner gives stand-ins (and only them) so they can reach the test world. */
export const STAND_IN_ENV = {
  /** Bare git repository playing the GitHub remote. */
  remote: "LOCAL_ACTIONS_REMOTE",
  /** Folder holding artifacts per run id: <store>/<run-id>/<artifact-name>/… */
  artifacts: "LOCAL_ACTIONS_ARTIFACTS",
  /** The token the GitHub App stand-in hands out. */
  appToken: "LOCAL_ACTIONS_APP_TOKEN",
} as const;

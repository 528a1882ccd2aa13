import type { Logger } from "@qlik-cicd/common";
import { actionsLogger } from "./logger.ts";

type Uploader = (name: string, files: string[], rootDirectory: string) => Promise<number | undefined>;

/** True on a runner that can store artifacts (the runtime token is only given to real jobs). */
export function canUploadArtifacts(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

/**
 * Uploads files as one artifact through the shared uploader bundle beside this action's bundle
 * (actions/<name>/dist/index.js → actions/_shared/dist/artifact-upload.js). Without artifact storage
 * (a terminal, a runner without a runtime token) it says where the files stay and returns false.
 */
export async function uploadArtifact(
  name: string,
  files: string[],
  rootDirectory: string,
  logger: Logger = actionsLogger,
): Promise<boolean> {
  if (!canUploadArtifacts()) {
    logger.info(`Not on a GitHub-hosted job with artifact storage; '${name}' stays at ${rootDirectory}.`);
    return false;
  }
  const modulePath = new URL("../../_shared/dist/artifact-upload.js", import.meta.url).href;
  const { uploadFiles } = (await import(modulePath)) as { uploadFiles: Uploader };
  await uploadFiles(name, files, rootDirectory);
  return true;
}

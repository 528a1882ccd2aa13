import { publishApp, republishApp } from "@qlik/api/apps";
import { QlikApiError, type QlikClient } from "@qlik-cicd/qlik-client";
import { withRetries, type Clock, type Logger } from "@qlik-cicd/common";
import { findAppsByName, type AppItem } from "./apps.ts";
import { reloadApp } from "./reload.ts";
import type { DeployOptions, ReloadOutcome } from "./types.ts";

/** First publish of the staging app into a managed space; returns the new published copy's id. */
export async function publishToSpace(
  client: QlikClient,
  stagingAppId: string,
  spaceId: string,
  name: string,
  logger: Logger,
): Promise<string> {
  try {
    const res = await client.call(
      {
        tier: "write",
        method: "POST",
        resource: `/api/v1/apps/${stagingAppId}/publish`,
        operation: "publish app",
      },
      (opts) => publishApp(stagingAppId, { spaceId, data: "source", attributes: { name } }, opts),
    );
    return res.data.attributes?.id ?? "";
  } catch (error) {
    if (error instanceof QlikApiError && error.status !== undefined && error.status < 500) throw error;
    // The publish may have been applied before the connection dropped: look before failing.
    logger.warn(`Publishing failed (${(error as Error).message}); checking whether the copy exists anyway.`);
    const found: AppItem[] = await findAppsByName(client, spaceId, name);
    if (found.length) return found[0].appId;
    throw error;
  }
}

/** Republishes over the existing copy so the consumers' app keeps its id, links and data. */
export async function republishOver(
  client: QlikClient,
  stagingAppId: string,
  targetId: string,
  name: string,
): Promise<string> {
  const res = await client.call(
    {
      tier: "write",
      method: "PUT",
      resource: `/api/v1/apps/${stagingAppId}/publish`,
      operation: "republish app",
    },
    // data "target": consumers keep their data until the reload that follows replaces it.
    // checkOriginAppId off: the target was chosen deliberately (via the items API, or adopted by name).
    (opts) =>
      republishApp(
        stagingAppId,
        { targetId, data: "target", checkOriginAppId: false, attributes: { name } },
        opts,
      ),
  );
  return res.data.attributes?.id ?? targetId;
}

/**
 * Runs `fn`, trying again while it fails with 403: right after a publish, access to the new copy can be
 * refused for a short while (Qlik says up to about two minutes). This is a request retry (layer 1 of the
 * policy in @qlik-cicd/common retry.ts) made here because only the deploy knows that this 403 means "not
 * yet": the client treats a 403 as final everywhere else. Waits follow the project's backoff (200 ms
 * doubling to 5 s, full jitter) until `timeoutMs`; any other error passes through at once.
 */
export async function retryWhileForbidden<T>(
  fn: () => Promise<T>,
  options: { timeoutMs: number; logger: Logger; what: string; clock?: Clock },
): Promise<T> {
  return withRetries(() => fn(), {
    policy: { maxAttempts: Infinity, maxElapsedMs: options.timeoutMs, baseDelayMs: 200, maxDelayMs: 5000 },
    clock: options.clock,
    retryable: (error) => error instanceof QlikApiError && error.status === 403,
    onRetry: (_error, next) => {
      if (next.attempt === 2)
        options.logger.info(`Access to ${options.what} is not ready yet (403); retrying.`);
    },
  });
}

/**
 * Reloads the app a deploy just published (`reload-timeout-minutes`, `reload-poll-interval`), waiting
 * out the 403s Qlik answers while the new app's access rights propagate (up to `accessMs`).
 */
export function reloadPublished(
  client: QlikClient,
  appId: string,
  options: Pick<DeployOptions, "reloadTimeoutMinutes" | "reloadPollIntervalMs">,
  accessMs: number,
  logger: Logger,
): Promise<ReloadOutcome> {
  return retryWhileForbidden(
    () =>
      reloadApp(client, appId, {
        timeoutMs: (options.reloadTimeoutMinutes ?? 30) * 60_000,
        pollIntervalMs: options.reloadPollIntervalMs,
        logger,
      }),
    { timeoutMs: accessMs, logger, what: `app ${appId}` },
  );
}

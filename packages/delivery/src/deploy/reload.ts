import { getReload, getReloads, queueReload, type Reload } from "@qlik/api/reloads";
import type { QlikClient } from "@qlik-cicd/qlik-client";
import { CicdError, poll, redactCredentials, type Clock, type Logger } from "@qlik-cicd/common";
import { isFinalReloadStatus } from "@qlik-cicd/qlik-facts";
import type { ReloadOutcome } from "./types.ts";

/** A reload that ended in anything but SUCCEEDED (or did not end in time). */
export class ReloadFailedError extends CicdError {
  readonly reload: ReloadOutcome;
  constructor(message: string, reload: ReloadOutcome) {
    super(message);
    this.reload = reload;
  }
}

/**
 * The lines of a reload log that explain a failure: error lines, else the last few lines. The log quotes
 * the script, so credentials written in it are redacted.
 */
export function reloadErrorLines(log: string | undefined, max = 10): string[] {
  if (!log) return [];
  const lines = log
    .split(/\r?\n/)
    .map((l) => redactCredentials(l.trimEnd()))
    .filter((l) => l.trim());
  const errors = lines.filter((l) => /error|failed|not found|unknown|cannot|invalid/i.test(l));
  return (errors.length ? errors : lines.slice(-5)).slice(0, max);
}

export interface ReloadOptions {
  timeoutMs: number;
  /** Longest wait between polls (default 1 s); polling starts at 250 ms and doubles. */
  pollIntervalMs?: number;
  logger: Logger;
  /** Time source for the waits (tests). */
  clock?: Clock;
}

/** Queues a reload through the reloads API and polls (uncached) until it ends. Throws on failure. */
export async function reloadApp(
  client: QlikClient,
  appId: string,
  options: ReloadOptions,
): Promise<ReloadOutcome> {
  const queued = await client.call(
    { tier: "reload", method: "POST", resource: "/api/v1/reloads", operation: "reload app" },
    (opts) => queueReload({ appId }, opts),
  );
  const id = queued.data.id;
  options.logger.info(`Reload ${id} queued for app ${appId}.`);
  const polled = await poll(
    async () =>
      (
        await client.call(
          { tier: "read", method: "GET", resource: `/api/v1/reloads/${id}`, operation: "poll reload" },
          (opts) => getReload(id, opts),
        )
      ).data,
    (r) => isFinalReloadStatus(r.status),
    {
      initial: queued.data,
      firstDelayMs: 250,
      intervalMs: options.pollIntervalMs ?? 1000,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
    },
  );
  const reload: Reload = polled.value;
  if (!polled.done) {
    throw new ReloadFailedError(
      `Reload ${id} of app ${appId} did not finish within ${Math.round(options.timeoutMs / 60000)} minutes (status ${reload.status}); raise 'reload-timeout-minutes' or check the app's script.`,
      { id, status: reload.status },
    );
  }
  if (reload.status === "SUCCEEDED") {
    options.logger.info(`Reload ${id} succeeded.`);
    return { id, status: reload.status };
  }
  const lines = reloadErrorLines(reload.log);
  const log = lines.join("\n");
  const reason = redactCredentials(reload.errorMessage ?? reload.errorCode ?? "");
  throw new ReloadFailedError(
    `Reload ${id} of app ${appId} ended ${reload.status}${reason ? ` (${reason})` : ""}${lines.length ? `: ${lines.join(" | ")}` : "."}`,
    { id, status: reload.status, log },
  );
}

/** The most recent reload of an app (any trigger), or undefined when it was never reloaded. */
export async function lastReload(client: QlikClient, appId: string): Promise<ReloadOutcome | undefined> {
  const res = await client.call(
    { tier: "read", method: "GET", resource: "/api/v1/reloads", operation: "list reloads" },
    (opts) => getReloads({ appId, limit: 1, sort: "-creationTime" }, opts),
  );
  const latest = res.data.data?.[0];
  return latest ? { id: latest.id, status: latest.status } : undefined;
}

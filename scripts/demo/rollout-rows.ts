/** Per-wave counts of a rollout run, from its state file. */
import type { RolloutState } from "../../packages/delivery/src/rollout/index.ts";
import type { WaveRow } from "./report-data.ts";

/** Counts one run's waves; `runStartedAt` splits "deployed by this run" from "kept from before". */
export function waveRows(state: RolloutState, runStartedAt: string): WaveRow[] {
  return state.waves.map((w) => {
    const records = w.tenants.map((n) => state.tenants[n]).filter(Boolean);
    const row: WaveRow = {
      index: w.index,
      name: w.name,
      status: w.status,
      tenants: records.length,
      deployed: 0,
      kept: 0,
      failed: 0,
      rolledBack: 0,
      notRun: 0,
    };
    for (const r of records) {
      if (r.status === "deployed") {
        if (r.startedAt && r.startedAt >= runStartedAt) row.deployed++;
        else row.kept++;
      } else if (r.status === "failed") row.failed++;
      else if (r.status === "rolled-back") {
        // Its own deploy or health check failed (then rolled back), or rolled back with the halted wave.
        if (r.error && r.error !== r.rollbackReason) row.failed++;
        else row.rolledBack++;
      } else row.notRun++;
    }
    return row;
  });
}

export function deployedBy(state: RolloutState, runStartedAt: string): string[] {
  return Object.values(state.tenants)
    .filter((r) => r.status === "deployed" && r.startedAt && r.startedAt >= runStartedAt)
    .map((r) => r.name)
    .sort();
}

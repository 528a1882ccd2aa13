export {
  approvalContext,
  approveGateOperation,
  type ApproveGateOptions,
  type ApproveGateResult,
} from "./approve-gate.ts";

export { deployToSpaceOperation, provenanceOf, type DeployToSpaceOptions } from "./deploy-to-space.ts";
export {
  evaluateAppOperation,
  type EvaluateAppOperationOptions,
  type EvaluateAppOperationResult,
} from "./evaluate-app.ts";
export {
  rolloutCanaryOperation,
  type RolloutCanaryOptions,
  type RolloutCanaryResult,
} from "./rollout-canary.ts";

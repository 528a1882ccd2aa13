/** Input and output names of the approve-gate action (must match action.yml). */
export const INPUTS = {
  mode: "mode",
  approvers: "approvers",
  minimumApprovals: "minimum-approvals",
  allowSelfApproval: "allow-self-approval",
  timeoutMinutes: "timeout-minutes",
  pollSeconds: "poll-seconds",
  approveKeywords: "approve-keywords",
  denyKeywords: "deny-keywords",
  denyWins: "deny-wins",
  evidence: "evidence",
  subject: "subject",
  target: "target",
  githubToken: "github-token",
} as const;

export const OUTPUTS = {
  approved: "approved",
  approvers: "approvers",
  auditRecord: "audit-record",
} as const;

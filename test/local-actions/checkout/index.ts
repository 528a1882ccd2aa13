// actions/checkout stand-in: a real clone of the world's bare remote into GITHUB_WORKSPACE.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fail, input, requiredEnv, setOutput } from "../common.ts";
import { STAND_IN_ENV } from "../index.ts";

const workspace = requiredEnv("GITHUB_WORKSPACE");
const remote = requiredEnv(STAND_IN_ENV.remote);
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: workspace, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

if (readdirSync(workspace).length > 0) fail(`The workspace ${workspace} is not empty.`);
git("clone", "--quiet", "--no-checkout", remote, ".");
const ref = input("ref");
const eventRef = process.env.GITHUB_REF ?? "";
const sha = process.env.GITHUB_SHA ?? "";
let checkedOut: string;
const remoteBranch = (name: string) => {
  try {
    git("rev-parse", "--verify", "--quiet", `refs/remotes/origin/${name}`);
    return true;
  } catch {
    return false;
  }
};
if (ref) {
  const branch = ref.replace(/^refs\/heads\//, "");
  if (remoteBranch(branch)) {
    git("checkout", "--quiet", "-B", branch, `origin/${branch}`);
    checkedOut = `refs/heads/${branch}`;
  } else {
    git("checkout", "--quiet", "--detach", ref);
    checkedOut = ref;
  }
} else if (eventRef.startsWith("refs/heads/") && sha) {
  const branch = eventRef.slice("refs/heads/".length);
  git("checkout", "--quiet", "-B", branch, sha);
  if (remoteBranch(branch)) git("branch", "--quiet", `--set-upstream-to=origin/${branch}`, branch);
  checkedOut = eventRef;
} else if (sha) {
  git("checkout", "--quiet", "--detach", sha);
  checkedOut = eventRef || sha;
} else {
  git("checkout", "--quiet", "main");
  checkedOut = "refs/heads/main";
}
const commit = git("rev-parse", "HEAD");
console.log(`Checked out ${checkedOut} at ${commit} into ${workspace}`);
setOutput("ref", checkedOut);
setOutput("commit", commit);

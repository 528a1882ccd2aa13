// actions/create-github-app-token stand-in: validates its inputs like the real one, returns a fake token.
import { fail, input, requiredEnv, setOutput } from "../common.ts";
import { STAND_IN_ENV } from "../index.ts";

if (!input("client-id") && !input("app-id")) fail("Either 'client-id' or 'app-id' input must be set.");
if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input("private-key"))) {
  fail("Input 'private-key' is not a PEM private key.");
}
const token = requiredEnv(STAND_IN_ENV.appToken);
process.stdout.write(`::add-mask::${token}\n`);
setOutput("token", token);
setOutput("installation-id", "4242");
setOutput("app-slug", "qlik-cicd-bot");
console.log("Created an installation access token.");

// Entry of `npm run demo` (node scripts/demo/index.ts): see main.ts.
import { main } from "./main.ts";

const code = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stdout.write(`Demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
process.exit(code);

// Reports some tests print for the record (coverage tables, timings): only with QLIK_TEST_REPORTS set,
// so `npm test` stays quiet when everything passes. `QLIK_TEST_REPORTS=1 npm test` shows them.
export function testReport(text: string): void {
  if (process.env.QLIK_TEST_REPORTS) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** `1 failure`, `2 failures`, `1 tenant`, `0 tenants` (an irregular plural as the third argument). */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

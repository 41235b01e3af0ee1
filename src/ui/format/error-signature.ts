// Groups failed jobs whose errors differ only in their variable parts: `HTTP 503 for
// https://a.example/1` and `HTTP 503 for https://a.example/2` are one problem to an operator.

const REPLACEMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bhttps?:\/\/[^\s'"<>)]+/gi, '<url>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>'],
  [/(["'`])(?:(?!\1).){1,200}\1/g, '<str>'],
  // Numbers, except status-like codes right after "HTTP" (which tell problems apart).
  [/(?<!HTTP |HTTP\/|status |code )\b\d+(?:\.\d+)?\b/gi, '<n>'],
];

/** The error with URLs, ids, quoted strings and numbers replaced, trimmed to its first line. */
export function errorSignature(error: string): string {
  let signature = error.split('\n', 1)[0]!.trim();
  for (const [pattern, replacement] of REPLACEMENTS) signature = signature.replace(pattern, replacement);
  return signature.slice(0, 200);
}

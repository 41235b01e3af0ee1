/**
 * Groups failures that are "the same error": numbers, URLs, hosts and quoted values are
 * replaced by placeholders, so "HTTP 503 for https://a/x/1" and "HTTP 503 for https://b/y/2" fall
 * in one group while "HTTP 404" stays apart from "HTTP 503".
 */
export function failureSignature(error: string): string {
  return error
    .split('\n')[0]!
    .replace(/\bhttps?:\/\/\S+/g, '<url>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b(?!(?:[1-5]\d\d)\b)\d+(?:\.\d+)?\b/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

// The `a` prompt's small language, a subset of `crawler-tui add`:
//   URL... [--crawl] [--max-pages N] [--max-depth N] [--include GLOB] [--exclude GLOB]
//          [--any-origin] [--mode browser|http]
// A leading word `crawl` is the same as --crawl. One bad part refuses the whole line.
import type {AddJobsRequest} from '../../engine/contract.js';

export type ParsedAdd = {readonly ok: true; readonly request: AddJobsRequest} | {readonly ok: false; readonly error: string};

/** The prompt's one-line hint. */
export const ADD_SYNTAX = 'URL… [--crawl] [--max-pages N] [--max-depth N] [--include G] [--exclude G] [--mode browser|http]';

const FLAGS_WITH_VALUE = new Set(['--max-pages', '--max-depth', '--include', '--exclude', '--mode']);
const FLAGS = new Set([...FLAGS_WITH_VALUE, '--crawl', '--any-origin']);
const CRAWL_ONLY = new Set(['--max-pages', '--max-depth', '--include', '--exclude', '--any-origin']);

function positiveInteger(flag: string, value: string): number | string {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000) return `${flag} needs a whole number from 1 to 1000000, not "${value}"`;
  return Number(value);
}

function checkUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL: give an absolute http(s) URL such as https://example.com/`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${text}" is not http(s)`;
  return undefined;
}

export function parseAddInput(line: string): ParsedAdd {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words[0] === 'crawl') words[0] = '--crawl';
  const urls: string[] = [];
  const include: string[] = [];
  const exclude: string[] = [];
  let isCrawl = false;
  let isAnyOrigin = false;
  let maxPages: number | undefined;
  let maxDepth: number | undefined;
  let mode: 'browser' | 'http' | undefined;
  const seen = new Set<string>();
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (word.startsWith('--')) {
      const [flag, inline] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
      if (!FLAGS.has(flag!)) return {ok: false, error: `unknown option ${flag} (allowed: ${[...FLAGS].join(' ')})`};
      seen.add(flag!);
      let value: string | undefined;
      if (FLAGS_WITH_VALUE.has(flag!)) {
        value = inline ?? words[++index];
        if (value === undefined || value === '') return {ok: false, error: `${flag} needs a value`};
      }
      switch (flag) {
        case '--crawl':
          isCrawl = true;
          break;
        case '--any-origin':
          isAnyOrigin = true;
          break;
        case '--max-pages':
        case '--max-depth': {
          const parsed = positiveInteger(flag, value!);
          if (typeof parsed === 'string') return {ok: false, error: parsed};
          if (flag === '--max-pages') maxPages = parsed;
          else maxDepth = parsed;
          break;
        }
        case '--include':
          include.push(value!);
          break;
        case '--exclude':
          exclude.push(value!);
          break;
        case '--mode':
          if (value !== 'browser' && value !== 'http') return {ok: false, error: `--mode is browser or http, not "${value}"`};
          mode = value;
          break;
      }
      continue;
    }
    const problem = checkUrl(word);
    if (problem) return {ok: false, error: problem};
    urls.push(word);
  }
  if (urls.length === 0) return {ok: false, error: `give at least one URL: ${ADD_SYNTAX}`};
  if (!isCrawl) {
    const crawlFlag = [...seen].find((flag) => CRAWL_ONLY.has(flag));
    if (crawlFlag) return {ok: false, error: `${crawlFlag} only applies to a crawl: add --crawl`};
  }
  const request: AddJobsRequest = {
    urls,
    ...(mode ? {mode} : {}),
    ...(isCrawl
      ? {
          crawl: {
            ...(maxPages !== undefined ? {maxPages} : {}),
            ...(maxDepth !== undefined ? {maxDepth} : {}),
            ...(include.length > 0 ? {include} : {}),
            ...(exclude.length > 0 ? {exclude} : {}),
            ...(isAnyOrigin ? {sameOrigin: false} : {}),
          },
        }
      : {}),
  };
  return {ok: true, request};
}

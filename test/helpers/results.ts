import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {PageResult} from '../../src/engine/scrape/scrape-page.js';

/** Every result file under `<dataDir>/results/<dir>/`, parsed. */
export function readResults(dataDir: string, dir?: string): PageResult[] {
  const root = join(dataDir, 'results');
  if (!existsSync(root)) return [];
  const dirs = dir ? [dir] : readdirSync(root);
  return dirs.flatMap((name) =>
    readdirSync(join(root, name))
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(root, name, file), 'utf8')) as PageResult),
  );
}

export interface StatusJson {
  readonly redis: string;
  readonly queues: ReadonlyArray<{name: string; counts: Record<string, number>; isPaused: boolean}>;
  readonly crawls: ReadonlyArray<{crawlId: string; done: number; failed: number; claimed: number}>;
}

export function countsOf(status: StatusJson, queue: 'scrape' | 'file'): Record<string, number> {
  return status.queues.find((q) => q.name === queue)!.counts;
}

import {createWriteStream, type WriteStream} from 'node:fs';
import {readdir, readFile, stat} from 'node:fs/promises';
import {join} from 'node:path';
import {finished} from 'node:stream/promises';
import type {Settings} from '../../config/settings.js';
import {UserError} from '../../errors.js';
import {parseChoiceOption} from '../options.js';

const CSV_COLUMNS = ['url', 'finalUrl', 'status', 'mode', 'title', 'description', 'h1', 'links', 'media', 'crawlId', 'depth', 'jobId', 'scrapedAtMs'] as const;

/** Concatenates the result files into JSONL or CSV, streaming one file at a time. */
export async function runExport(options: {crawl?: string; format?: string; out?: string}, settings: Settings): Promise<number> {
  const format = parseChoiceOption('--format', options.format ?? 'jsonl', ['jsonl', 'csv'] as const);
  if (options.crawl !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(options.crawl)) {
    throw new UserError(`invalid value for --crawl: "${options.crawl}"; allowed: a crawl id as printed by add --crawl or status`);
  }
  const resultsDir = join(settings.dataDir, 'results');
  const dirs = options.crawl ? [options.crawl] : await listDirs(resultsDir);
  if (options.crawl && !(await isDir(join(resultsDir, options.crawl)))) {
    throw new UserError(`no results for crawl "${options.crawl}" in ${resultsDir}`);
  }
  const out: WriteStream | NodeJS.WriteStream = options.out ? createWriteStream(options.out) : process.stdout;
  const write = (line: string) => new Promise<void>((resolve, reject) => (out.write(line) ? resolve() : out.once('drain', resolve).once('error', reject)));
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\n`);
  let count = 0;
  for (const dir of dirs) {
    const files = (await readdir(join(resultsDir, dir))).filter((name) => name.endsWith('.json')).sort();
    for (const file of files) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(await readFile(join(resultsDir, dir, file), 'utf8')) as Record<string, unknown>;
      } catch {
        continue; // a file being replaced right now; the next export has it
      }
      await write(format === 'jsonl' ? `${JSON.stringify(record)}\n` : `${CSV_COLUMNS.map((column) => csvCell(record[column])).join(',')}\n`);
      count++;
    }
  }
  if (options.out) {
    (out as WriteStream).end();
    await finished(out as WriteStream);
    process.stderr.write(`${count} result(s) written to ${options.out}\n`);
  }
  return 0;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = Array.isArray(value) ? String(value.length) : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, {withFileTypes: true});
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch {
    return [];
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

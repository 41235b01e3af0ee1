import {createReadStream} from 'node:fs';
import {access, constants} from 'node:fs/promises';
import {createInterface} from 'node:readline';
import type {Readable} from 'node:stream';
import type {Settings} from '../../config/settings.js';
import {UserError} from '../../errors.js';
import {openBackend} from '../../engine/backend.js';
import {InvalidUrlError, normalizeUrl} from '../../engine/crawl/normalize-url.js';
import {addCrawls, addPages, type AddPagesOptions} from '../../engine/enqueue.js';
import {parseChoiceOption, parseIntegerOption} from '../options.js';

export interface AddCommandOptions {
  crawl?: boolean;
  maxPages?: string;
  maxDepth?: string;
  include?: string[];
  exclude?: string[];
  mode?: string;
  bulk?: boolean;
  file?: string;
  priority?: string;
  anyOrigin?: boolean;
  json?: boolean;
}

const BATCH_SIZE = 1000;

export async function runAdd(urls: string[], options: AddCommandOptions, settings: Settings, stdin: Readable = process.stdin): Promise<number> {
  // Every flag is checked before Redis is touched: a bad call changes nothing.
  const mode = options.mode === undefined ? settings.scrape.mode : parseChoiceOption('--mode', options.mode, ['browser', 'http'] as const);
  const priorityInBand = options.priority === undefined ? undefined : parseIntegerOption('--priority', options.priority, 0, 999);
  const maxPages = options.maxPages === undefined ? settings.crawl.maxPages : parseIntegerOption('--max-pages', options.maxPages, 1, 100_000_000);
  const maxDepth = options.maxDepth === undefined ? settings.crawl.maxDepth : parseIntegerOption('--max-depth', options.maxDepth, 0, 1000);
  if (!options.crawl) {
    for (const flag of ['maxPages', 'maxDepth', 'include', 'exclude', 'anyOrigin'] as const) {
      if (options[flag] !== undefined) throw new UserError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies to crawls: add --crawl`);
    }
  }
  if (urls.length === 0 && options.file === undefined) throw new UserError('nothing to add: give one or more URLs, or --file PATH (- for standard input)');
  if (urls.length > 0 && options.file !== undefined) throw new UserError('give URLs or --file, not both');
  for (const url of urls) validateUrl(url, 'argument');

  const origin = options.bulk ? 'bulk' : 'manual';
  const pageOptions: AddPagesOptions = {mode, origin, ...(priorityInBand !== undefined ? {priorityInBand} : {})};

  if (options.file !== undefined) {
    if (options.crawl) throw new UserError('--file adds single pages; start crawls with URLs on the command line');
    const source = options.file === '-' ? stdin : await openReadable(options.file);
    if (options.file !== '-') await validateFile(options.file);
    const backend = await openBackend(settings, {isFailFast: true});
    try {
      return await addFromLines(source, options.file, backend, pageOptions, options.json === true);
    } finally {
      await backend.close();
    }
  }

  const backend = await openBackend(settings, {isFailFast: true});
  try {
    if (options.crawl) {
      const crawls = await addCrawls(backend, urls, {
        ...pageOptions,
        maxPages,
        maxDepth,
        include: options.include ?? [],
        exclude: options.exclude ?? [],
        sameOrigin: options.anyOrigin !== true,
      });
      if (options.json) process.stdout.write(`${JSON.stringify({crawls})}\n`);
      else for (const crawl of crawls) process.stdout.write(`crawl ${crawl.crawlId} started at ${crawl.url} (job ${crawl.jobId}, max ${maxPages} pages, depth ${maxDepth})\n`);
      return 0;
    }
    const outcome = await addPages(backend, urls, pageOptions);
    if (options.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    else process.stdout.write(`${outcome.added} added, ${outcome.duplicates} already queued${outcome.added ? ` (jobs ${outcome.jobIds.join(', ')})` : ''}\n`);
    return 0;
  } finally {
    await backend.close();
  }
}

function validateUrl(url: string, where: string): string {
  try {
    return normalizeUrl(url.trim());
  } catch (error) {
    if (error instanceof InvalidUrlError) throw new UserError(`${error.message} (${where})`);
    throw error;
  }
}

async function openReadable(path: string): Promise<Readable> {
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    throw new UserError(`cannot read --file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return createReadStream(path, {encoding: 'utf8'});
}

/** The URL of one line of a URL file: BOM, CR, blanks and `#` comments tolerated; undefined = skip. */
function urlOfLine(line: string, index: number): string | undefined {
  const text = (index === 0 ? line.replace(/^\uFEFF/, '') : line).trim();
  if (text === '' || text.startsWith('#')) return undefined;
  return text;
}

/**
 * A file is checked whole before anything is added (one streamed pass, constant memory), so a
 * bad line refuses the file and leaves the queue as it was. Standard input cannot be read twice:
 * its bad lines are skipped and reported, and the exit code is 2.
 */
async function validateFile(path: string): Promise<void> {
  const lines = createInterface({input: createReadStream(path, {encoding: 'utf8'}), crlfDelay: Infinity});
  let index = 0;
  for await (const line of lines) {
    const url = urlOfLine(line, index);
    index++;
    if (line.length > 65_536) throw new UserError(`line ${index} of ${path} is ${line.length} characters long; allowed: one URL of at most 8192 characters a line`);
    if (url !== undefined) validateUrl(url, `line ${index} of ${path}`);
  }
}

async function addFromLines(
  source: Readable,
  name: string,
  backend: Awaited<ReturnType<typeof openBackend>>,
  options: AddPagesOptions,
  asJson: boolean,
): Promise<number> {
  const lines = createInterface({input: source, crlfDelay: Infinity});
  let batch: string[] = [];
  let added = 0;
  let duplicates = 0;
  let invalid = 0;
  let index = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await addPages(backend, batch, options);
    added += outcome.added;
    duplicates += outcome.duplicates;
    batch = [];
  };
  for await (const line of lines) {
    const url = urlOfLine(line, index);
    index++;
    if (url === undefined) continue;
    try {
      normalizeUrl(url);
    } catch {
      invalid++;
      if (invalid <= 5) process.stderr.write(`skipped line ${index} of ${name === '-' ? 'standard input' : name}: invalid URL "${url.slice(0, 200)}"\n`);
      continue;
    }
    batch.push(url);
    if (batch.length >= BATCH_SIZE) await flush();
  }
  await flush();
  if (asJson) process.stdout.write(`${JSON.stringify({added, duplicates, invalid})}\n`);
  else process.stdout.write(`${added} added, ${duplicates} already queued${invalid ? `, ${invalid} invalid lines skipped` : ''}\n`);
  if (invalid > 0) {
    process.stderr.write(`${invalid} invalid line(s) in ${name === '-' ? 'standard input' : name} were not added\n`);
    return 2;
  }
  return 0;
}

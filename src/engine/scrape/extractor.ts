import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {Page} from 'puppeteer';
import {UserError} from '../../errors.js';
import type {ScrapeJobData} from '../jobs.js';

/** What a custom extractor receives: the live page in browser mode, the HTML in HTTP mode. */
export type ExtractorContext =
  | {readonly page: Page; readonly url: string; readonly job: ScrapeJobData}
  | {readonly html: string; readonly url: string; readonly job: ScrapeJobData};

/** A user module's default export; what it returns (JSON-serialisable) is stored as `data`. */
export type Extractor = (context: ExtractorContext) => unknown;

/**
 * Loads `--extractor PATH` once at start-up, so a missing file or a module without a default
 * function stops the node with one clear line instead of failing every job.
 */
export async function loadExtractor(path: string): Promise<Extractor> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new UserError(`extractor ${absolute} does not exist`, 'check scrape.extractor / --extractor');
  let module: {default?: unknown};
  try {
    module = (await import(pathToFileURL(absolute).href)) as {default?: unknown};
  } catch (error) {
    throw new UserError(`extractor ${absolute} could not be loaded: ${(error as Error).message}`);
  }
  if (typeof module.default !== 'function') {
    throw new UserError(`extractor ${absolute} has no default export function`, 'export default async ({page, html, url, job}) => ({...})');
  }
  return module.default as Extractor;
}

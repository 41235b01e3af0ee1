/**
 * The library entry: embed the same engine the CLI runs.
 *
 * ```ts
 * import {createEngine, resolveSettings} from 'crawler-tui';
 * const engine = await createEngine(resolveSettings({flags: {'redis.url': {value: 'redis://127.0.0.1:6379', source: 'code'}}}));
 * engine.on('job-completed', ({url}) => console.log('scraped', url));
 * engine.start();
 * ```
 */
export {createEngine, Engine, type EngineEvents} from './engine/create-engine.js';
export {openBackend, type Backend} from './engine/backend.js';
export {addPages, addCrawls, type AddPagesOptions, type AddCrawlOptions} from './engine/enqueue.js';
export {resolveSettings, resolveSettingsWithSources} from './config/resolve.js';
export type {Settings, SettingKey} from './config/settings.js';
export type * from './engine/contract.js';
export type {PageResult} from './engine/scrape/scrape-page.js';
export {UserError, BugError} from './errors.js';

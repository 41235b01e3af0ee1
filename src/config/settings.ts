/**
 * Every setting crawler-tui has, in one table. Validation, environment variables, the `conf`
 * store's schema, `config get|set` and the README's settings table are all derived from it, so a
 * setting cannot exist in one place and be missing in another.
 *
 * Keys are dotted (`scrape.attempts`); the typed `Settings` object nests them
 * (`settings.scrape.attempts`). Durations are milliseconds (`Ms`), sizes bytes (`Bytes`).
 */

export type SettingType = 'integer' | 'number' | 'boolean' | 'string' | 'enum';

export interface SettingSpec {
  readonly type: SettingType;
  readonly default: number | boolean | string | undefined;
  readonly description: string;
  /** Environment variables read for this setting, first found wins. `CRAWLER_<KEY>` is always read too. */
  readonly env?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** A value that is a secret (a password inside a URL): masked in `config get` and logs. */
  readonly isSecret?: boolean;
}

export const SETTING_SPECS = {
  'redis.url': {
    type: 'string',
    default: undefined,
    description:
      "Redis to use: a redis:// or rediss:// URL, a comma-separated list of cluster nodes, or 'embedded' " +
      '(start a private redis-server with its data in the data directory). Unset: REDIS_HOST/PORT, else ' +
      '127.0.0.1:6379 if it answers, else embedded.',
    env: ['REDIS_URL'],
    isSecret: true,
  },
  'redis.host': {
    type: 'string',
    default: undefined,
    description: 'Redis host, used when redis.url is unset.',
    env: ['REDIS_HOST'],
  },
  'redis.port': {
    type: 'integer',
    default: undefined,
    description: 'Redis port, used when redis.url is unset.',
    env: ['REDIS_PORT'],
    min: 1,
    max: 65535,
  },
  'redis.prefix': {
    type: 'string',
    default: 'crawler',
    description: 'Prefix of every Redis key (written as a {hash tag} so Redis Cluster works).',
    env: ['CRAWLER_PREFIX'],
  },
  dataDir: {
    type: 'string',
    default: undefined,
    description: "Where results, media and the embedded Redis's data live. Default: the user's data directory (XDG).",
    env: ['CRAWLER_DATA_DIR'],
  },
  'scrape.concurrency': {
    type: 'integer',
    default: 16,
    description: 'Scrape jobs processed at once by this node (HTTP mode; browser mode follows the pool).',
    env: ['WORKER_CONCURRENCY'],
    min: 1,
    max: 1000,
  },
  'scrape.mode': {
    type: 'enum',
    // Most targets need JavaScript; --mode http is there for pages that do not.
    default: 'browser',
    description: 'Default scrape mode of jobs added without --mode.',
    choices: ['browser', 'http'],
  },
  'scrape.attempts': {
    type: 'integer',
    default: 3,
    description: 'Attempts per scrape job (1 = no retries). Permanent errors (404, invalid URL) never retry.',
    env: ['SCRAPER_RETRY_ATTEMPTS'],
    min: 1,
    max: 100,
  },
  'scrape.backoffMs': {
    type: 'integer',
    default: 1000,
    description: 'Base delay of the exponential retry backoff (doubles each attempt, with jitter).',
    min: 0,
    max: 3_600_000,
  },
  'scrape.timeoutMs': {
    type: 'integer',
    default: 60_000,
    description: 'Longest one attempt of a scrape job may take; the work is aborted when it passes.',
    env: ['MAX_JOB_DURATION'],
    min: 100,
    max: 3_600_000,
  },
  'scrape.connectTimeoutMs': {
    type: 'integer',
    default: 10_000,
    description: 'HTTP connect timeout.',
    min: 100,
    max: 600_000,
  },
  'scrape.maxRedirects': {
    type: 'integer',
    default: 10,
    description: 'Redirects followed before a page fails.',
    min: 0,
    max: 50,
  },
  'scrape.maxBodyBytes': {
    type: 'integer',
    default: 10 * 1024 * 1024,
    description: 'Largest response body read; a bigger page fails without being read into memory.',
    min: 1024,
    max: 1024 * 1024 * 1024,
  },
  'scrape.nonHtml': {
    type: 'enum',
    default: 'save',
    description: 'What to do with a response that is neither HTML nor JSON: save it with the file pool, or skip it.',
    choices: ['save', 'skip'],
  },
  'scrape.userAgent': {
    type: 'string',
    default: 'crawler-tui/0.1 (+https://www.npmjs.com/package/crawler-tui)',
    description: 'User-Agent header sent with every request (and matched against robots.txt).',
  },
  'scrape.respectRobots': {
    type: 'boolean',
    default: true,
    description: 'Honour robots.txt in crawls.',
  },
  'scrape.downloadMedia': {
    type: 'boolean',
    default: true,
    description: "Download a page's images, video and audio (content-addressed) with the file pool.",
  },
  'crawl.maxPages': {
    type: 'integer',
    default: 1000,
    description: 'Default page budget of a crawl.',
    env: ['CRAWLER_MAX_PAGES'],
    min: 1,
    max: 100_000_000,
  },
  'crawl.maxDepth': {
    type: 'integer',
    default: 10,
    description: 'Default link depth of a crawl (0 = the start page only).',
    min: 0,
    max: 1000,
  },
  'files.workers': {
    type: 'integer',
    default: 2,
    description: 'Worker threads in the file pool (writing results, downloading media).',
    env: ['MAX_CONCURRENT_TASKS'],
    min: 1,
    max: 64,
  },
  'files.maxWorkers': {
    type: 'integer',
    default: 4,
    description: 'Most worker threads the autoscaler gives the file pool (it adds one while the file queue is longer than 10).',
    min: 1,
    max: 64,
  },
  'autoscale.enabled': {
    type: 'boolean',
    default: true,
    description:
      'Grow and shrink the browser pool (up to browser.browsers) and the file pool (files.workers up to files.maxWorkers) from CPU, memory and backlog. Off: both stay at their configured size.',
  },
  'files.maxMediaBytes': {
    type: 'integer',
    default: 50 * 1024 * 1024,
    description: 'Largest media file or non-HTML body saved.',
    min: 1024,
    max: 10 * 1024 * 1024 * 1024,
  },
  'files.timeoutMs': {
    type: 'integer',
    default: 60_000,
    description: 'Longest one file task (a media download) may take.',
    min: 100,
    max: 3_600_000,
  },
  'browser.executablePath': {
    type: 'string',
    default: undefined,
    description: 'Chromium or Chrome to launch. Unset: the one Puppeteer downloaded, else chromium/google-chrome on PATH.',
    env: ['PUPPETEER_EXECUTABLE_PATH'],
  },
  'browser.browsers': {
    type: 'integer',
    default: undefined,
    description:
      'Most browsers in the pool (the autoscaler starts at 1 and grows to it). Unset: sized from cores and memory (cores / 2, at most half the RAM at 1 GiB each).',
    min: 0,
    max: 64,
  },
  'browser.pagesPerBrowser': {
    type: 'integer',
    default: 4,
    description: 'Pages one browser renders at once (reused between jobs).',
    min: 1,
    max: 64,
  },
  'browser.retireAfterPages': {
    type: 'integer',
    default: 100,
    description: 'Pages a browser serves before it is replaced by a fresh one (bounds renderer leaks).',
    min: 1,
    max: 1_000_000,
  },
  'browser.maxRssBytes': {
    type: 'integer',
    default: 1536 * 1024 * 1024,
    description: 'A browser whose process tree uses more memory than this is replaced.',
    min: 64 * 1024 * 1024,
    max: 64 * 1024 * 1024 * 1024,
  },
  'browser.waitUntil': {
    type: 'enum',
    default: 'load',
    description: "What navigation waits for before the page is read ('load' lets scripts that run on load finish).",
    choices: ['load', 'domcontentloaded', 'networkidle0', 'networkidle2'],
  },
  'browser.blockResourceTypes': {
    type: 'string',
    default: 'image,font,media',
    description: "Resource types not loaded in browser mode (comma-separated Puppeteer types; their URLs are still collected as media). 'none' blocks nothing.",
  },
  'scrape.extractor': {
    type: 'string',
    default: undefined,
    description:
      'A JavaScript module whose default export gets {page, url, job} (browser mode) or {html, url, job} (HTTP mode) and returns JSON data stored as the result\'s `data`.',
    env: ['CRAWLER_EXTRACTOR'],
  },
  'monitor.memoryThresholdRatio': {
    type: 'number',
    default: 0.85,
    description: 'Share of system memory in use above which no new browser is launched (MEMORY_THRESHOLD accepts 0-1 or a percentage).',
    env: ['MEMORY_THRESHOLD'],
    min: 0.05,
    max: 1,
  },
  'schedule.cron': {
    type: 'string',
    default: undefined,
    description: 'Cron expression of the default schedule (read by the scheduler, which is not built yet).',
    env: ['CRAWLER_CRON'],
  },
  'log.level': {
    type: 'enum',
    default: 'info',
    description: 'Log level of the JSON logs in headless mode.',
    env: ['LOG_LEVEL'],
    choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
  },
  'shutdown.graceMs': {
    type: 'integer',
    default: 30_000,
    description: 'On SIGINT/SIGTERM, how long active jobs may finish before they are returned to the queue.',
    min: 0,
    max: 3_600_000,
  },
  'queue.lockMs': {
    type: 'integer',
    default: 30_000,
    description:
      'Lock of an active job: a job whose node died is recovered by another node (or the next start) after this long.',
    min: 1000,
    max: 3_600_000,
  },
  'http.port': {
    type: 'integer',
    default: undefined,
    description: 'Port of the HTTP API of a headless node (off when unset).',
    min: 0,
    max: 65535,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTING_SPECS;

/** The resolved, validated settings: one frozen object, built by `resolveSettings`. */
export interface Settings {
  readonly redis: {
    /** Unset: auto (REDIS_HOST/PORT, else 127.0.0.1:6379 if it answers, else embedded). */
    readonly url: string | undefined;
    readonly host: string | undefined;
    readonly port: number | undefined;
    readonly prefix: string;
  };
  readonly dataDir: string;
  readonly scrape: {
    readonly concurrency: number;
    readonly mode: 'browser' | 'http';
    readonly attempts: number;
    readonly backoffMs: number;
    readonly timeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly maxRedirects: number;
    readonly maxBodyBytes: number;
    readonly nonHtml: 'save' | 'skip';
    readonly userAgent: string;
    readonly respectRobots: boolean;
    readonly downloadMedia: boolean;
    readonly extractor: string | undefined;
  };
  readonly crawl: {
    readonly maxPages: number;
    readonly maxDepth: number;
  };
  readonly autoscale: {
    readonly enabled: boolean;
  };
  readonly files: {
    readonly workers: number;
    readonly maxWorkers: number;
    readonly maxMediaBytes: number;
    readonly timeoutMs: number;
  };
  readonly browser: {
    readonly executablePath: string | undefined;
    readonly browsers: number | undefined;
    readonly pagesPerBrowser: number;
    readonly retireAfterPages: number;
    readonly maxRssBytes: number;
    readonly waitUntil: 'load' | 'domcontentloaded' | 'networkidle0' | 'networkidle2';
    readonly blockResourceTypes: string;
  };
  readonly monitor: {
    readonly memoryThresholdRatio: number;
  };
  readonly schedule: {
    readonly cron: string | undefined;
  };
  readonly log: {
    readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  };
  readonly shutdown: {
    readonly graceMs: number;
  };
  readonly queue: {
    readonly lockMs: number;
  };
  readonly http: {
    readonly port: number | undefined;
  };
}

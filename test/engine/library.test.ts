import {fork} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {addPages, createEngine, resolveSettings, type Engine} from '../../src/index.js';
import {CLI_PATH, cliEnvironment, runCli, startPrivateRedis, startSite, tempDir, type PrivateRedis, type TestSite} from '../helpers/processes.js';
import {readResults} from '../helpers/results.js';

describe('the library entry', () => {
  let redis: PrivateRedis;
  let site: TestSite;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    site = await startSite(20);
  });

  afterAll(async () => {
    await site?.stop();
    await redis?.stop();
  });

  test('createEngine runs the same engine in-process and emits typed job events', async () => {
    const dataDir = tempDir();
    const settings = resolveSettings({
      store: null,
      env: {},
      flags: {
        'redis.url': {value: redis.url, source: 'test'},
        'redis.prefix': {value: `lib${Date.now()}`, source: 'test'},
        dataDir: {value: dataDir, source: 'test'},
      },
    });
    const engine: Engine = await createEngine(settings);
    const completed: string[] = [];
    engine.on('job-completed', ({queue, url}) => {
      if (queue === 'scrape' && url) completed.push(url);
    });
    const outcome = await addPages(engine.backend, [`${site.url}p/1`, `${site.url}p/2`], {mode: 'http', origin: 'manual'});
    expect(outcome.added).toBe(2);
    engine.start();
    await engine.waitUntilIdle();
    expect(completed.sort()).toEqual([`${site.url}p/1`, `${site.url}p/2`]);
    expect(engine.getSnapshot().phase).toBe('running');
    expect(engine.getSnapshot().queues.find((q) => q.name === 'scrape')).toBeDefined();
    await engine.stop();
    // stop() twice is the same promise, and the phase says so.
    await engine.stop();
    expect(engine.getSnapshot().phase).toBe('stopped');
    expect(readResults(dataDir).map((r) => r.title.startsWith('Page '))).toEqual([true, true]);
  });
});

describe('process managers', () => {
  test('under PM2 (an IPC channel) the node sends ready once it takes jobs', async () => {
    const redis = await startPrivateRedis();
    try {
      const cli = cliEnvironment(redis.url);
      const child = fork(CLI_PATH, [...cli.flags, 'run', '--no-ui'], {env: {...process.env, ...cli.env}, stdio: ['ignore', 'pipe', 'pipe', 'ipc']});
      const message = await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`exited with ${code} before ready`)));
      });
      expect(message).toBe('ready');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await redis.stop();
    }
  });

  test('with no redis-server to start an embedded Redis: one line saying what to install', async () => {
    const cli = cliEnvironment('embedded', {CRAWLER_REDIS_SERVER: '/nonexistent/redis-server'});
    const result = await runCli([...cli.flags, 'status'], cli.env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^crawler-tui: .*redis-server is not installed.*\(install Redis \(Debian\/Ubuntu: apt-get install redis-server/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

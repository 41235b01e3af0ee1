import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startPrivateRedis, type PrivateRedis} from '../helpers/processes.js';
import {countsOf, readResults, type StatusJson} from '../helpers/results.js';

/** A server whose routes misbehave on purpose; it counts requests per path. */
function startFlakyServer(): Promise<{server: Server; url: string; hits: Map<string, number>}> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    if (path === '/flaky') {
      if (hit <= 2) return void res.writeHead(500).end('boom');
      return void res.writeHead(200, {'content-type': 'text/html'}).end('<title>third time lucky</title>');
    }
    if (path === '/missing') return void res.writeHead(404).end('nope');
    if (path === '/hang') return; // never answers
    if (path === '/busy') {
      if (hit === 1) return void res.writeHead(503, {'retry-after': '1'}).end('later');
      return void res.writeHead(200, {'content-type': 'text/html'}).end('<title>ok now</title>');
    }
    if (path === '/api') return void res.writeHead(200, {'content-type': 'application/json'}).end('{"items":[1,2,3]}');
    res.writeHead(200, {'content-type': 'text/html'}).end('<title>fine</title>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits})),
  );
}

describe('retries, permanent failures and timeouts', () => {
  let redis: PrivateRedis;
  let flaky: Awaited<ReturnType<typeof startFlakyServer>>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    flaky = await startFlakyServer();
  });

  afterAll(async () => {
    flaky?.server.closeAllConnections();
    await new Promise((resolve) => flaky?.server.close(resolve));
    await redis?.stop();
  });

  test('500 twice then 200 succeeds on attempt 3; 404 fails at once; a hang times out after every attempt; 503 honours Retry-After', async () => {
    const cli = cliEnvironment(redis.url);
    const settings = ['--set', 'scrape.backoffMs=100', '--set', 'scrape.timeoutMs=500', '--set', 'scrape.attempts=3'];
    const urls = ['/flaky', '/missing', '/hang', '/busy', '/api'].map((path) => flaky.url + path);
    const added = await runCli([...cli.flags, ...settings, 'add', '--mode', 'http', ...urls], cli.env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('5 added');

    const startedAt = Date.now();
    const run = await runCli([...cli.flags, ...settings, 'run', '--no-ui', '--exit-when-idle'], cli.env);
    expect(run.code).toBe(0);
    // The 503 asked for 1 s; the hang took 3 x 500 ms plus backoff.
    expect(Date.now() - startedAt).toBeGreaterThan(1000);

    expect(flaky.hits.get('/flaky')).toBe(3);
    expect(flaky.hits.get('/missing')).toBe(1);
    expect(flaky.hits.get('/hang')).toBe(3);
    expect(flaky.hits.get('/busy')).toBe(2);

    const results = readResults(cli.dataDir);
    expect(results.map((r) => r.title).sort()).toEqual(['', 'ok now', 'third time lucky']);
    expect(results.find((r) => r.url.endsWith('/api'))?.json).toEqual({items: [1, 2, 3]});

    const failed = JSON.parse((await runCli([...cli.flags, 'failed', '--json'], cli.env)).stdout) as Array<{url: string; error: string; attemptsMade: number}>;
    const missing = failed.find((job) => job.url.endsWith('/missing'))!;
    expect(missing.attemptsMade).toBe(1);
    expect(missing.error).toContain('404');
    const hang = failed.find((job) => job.url.endsWith('/hang'))!;
    expect(hang.attemptsMade).toBe(3);
    expect(hang.error).toMatch(/timed out/);
    expect(failed).toHaveLength(2);
  });

  test('retry moves a failed job back and the next run processes it; remove deletes it', async () => {
    const cli = cliEnvironment(redis.url);
    const settings = ['--set', 'scrape.attempts=1'];
    flaky.hits.delete('/missing');
    await runCli([...cli.flags, 'add', '--mode', 'http', `${flaky.url}/missing`], cli.env);
    await runCli([...cli.flags, ...settings, 'run', '--no-ui', '--exit-when-idle'], cli.env);
    const failed = JSON.parse((await runCli([...cli.flags, 'failed', '--json'], cli.env)).stdout) as Array<{id: string}>;
    expect(failed).toHaveLength(1);

    const unknown = await runCli([...cli.flags, 'retry', 'no-such-job'], cli.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('crawler-tui: no job with id "no-such-job"');

    const retried = await runCli([...cli.flags, 'retry', failed[0]!.id], cli.env);
    expect(retried.code).toBe(0);
    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    expect(countsOf(status, 'scrape').failed).toBe(0);
    expect(countsOf(status, 'scrape').waiting + countsOf(status, 'scrape').prioritized).toBe(1);

    await runCli([...cli.flags, ...settings, 'run', '--no-ui', '--exit-when-idle'], cli.env);
    expect(flaky.hits.get('/missing')).toBe(2);
    const removed = await runCli([...cli.flags, 'remove', failed[0]!.id], cli.env);
    expect(removed.code).toBe(0);
    const after = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    expect(countsOf(after, 'scrape').failed).toBe(0);
  });

  test('adding the same URL twice while the first is waiting enqueues one job', async () => {
    const cli = cliEnvironment(redis.url);
    const first = await runCli([...cli.flags, 'add', '--mode', 'http', `${flaky.url}/same?b=2&a=1#frag`], cli.env);
    expect(first.stdout).toContain('1 added, 0 already queued');
    // The same page after normalisation: query order, fragment and a tracking parameter differ.
    const second = await runCli([...cli.flags, 'add', '--mode', 'http', `${flaky.url}/same?a=1&b=2&utm_source=x`], cli.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 added, 1 already queued');
    const status = JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as StatusJson;
    const scrape = countsOf(status, 'scrape');
    expect(scrape.waiting + scrape.prioritized).toBe(1);
  });

  test('manual jobs run before bulk jobs', async () => {
    const cli = cliEnvironment(redis.url);
    const bulk = Array.from({length: 5}, (_, i) => `${flaky.url}/bulk-${i}`);
    await runCli([...cli.flags, 'add', '--bulk', '--mode', 'http', ...bulk], cli.env);
    await runCli([...cli.flags, 'add', '--mode', 'http', `${flaky.url}/manual`], cli.env);
    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle', '--concurrency', '1', '--set', 'scrape.downloadMedia=false'], cli.env);
    const order = run.stdout
      .split('\n')
      .filter((line) => line.includes('"page scraped"'))
      .map((line) => (JSON.parse(line) as {url: string}).url);
    expect(order).toHaveLength(6);
    expect(order[0]).toBe(`${flaky.url}/manual`);
  });
});

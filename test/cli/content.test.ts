import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startPrivateRedis, type PrivateRedis} from '../helpers/processes.js';
import {readResults} from '../helpers/results.js';

const PDF_BYTES = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 7)]);

/** A tiny site with robots.txt, a PDF, an image with a hostile file name and an escape-laden title. */
function startContentSite(): Promise<{server: Server; url: string; requests: string[]}> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const html = (body: string) => res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(body);
    if (path === '/robots.txt') return void res.writeHead(200, {'content-type': 'text/plain'}).end('User-agent: *\nDisallow: /private\n');
    if (path === '/') {
      return void html(
        '<title>Home\u001b[31m red\u001b]0;pwned\u0007</title><a href="/public">p</a> <a href="/private/secret">s</a> ' +
          '<a href="/doc.pdf">pdf</a> <img src="/img/..%2F..%2Fetc%2Fpasswd.png">',
      );
    }
    if (path === '/public') return void html('<title>Public</title><a href="/">home</a>');
    if (path === '/private/secret') return void html('<title>Secret</title>');
    if (path === '/doc.pdf') return void res.writeHead(200, {'content-type': 'application/pdf'}).end(PDF_BYTES);
    if (path.startsWith('/img/')) return void res.writeHead(200, {'content-type': 'image/png'}).end(Buffer.from('not really a png'));
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests})));
}

describe('content handling', () => {
  let redis: PrivateRedis;
  let site: Awaited<ReturnType<typeof startContentSite>>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    site = await startContentSite();
  });

  afterAll(async () => {
    site?.server.closeAllConnections();
    await new Promise((resolve) => site?.server.close(resolve));
    await redis?.stop();
  });

  test('robots.txt is honoured; a PDF is saved by the file pool, not parsed; names and escapes from the web go nowhere', async () => {
    const cli = cliEnvironment(redis.url);
    const added = await runCli([...cli.flags, 'add', '--crawl', '--mode', 'http', site.url, '--json'], cli.env);
    const crawlId = (JSON.parse(added.stdout) as {crawls: Array<{crawlId: string}>}).crawls[0]!.crawlId;
    const run = await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle'], cli.env);
    expect(run.code).toBe(0);

    expect(site.requests).not.toContain('/private/secret');
    const results = readResults(cli.dataDir, crawlId);
    const byPath = new Map(results.map((r) => [new URL(r.url).pathname, r]));
    expect([...byPath.keys()].sort()).toEqual(['/', '/doc.pdf', '/public']);
    // A disallowed link never becomes a job (it would only take page budget to fail).
    const failed = JSON.parse((await runCli([...cli.flags, 'failed', '--json'], cli.env)).stdout) as unknown[];
    expect(failed).toEqual([]);

    // The title lost its escape sequences (colour and window title) before it was stored.
    expect(byPath.get('/')!.title).toBe('Home red');
    expect(JSON.stringify(results)).not.toContain('\u001b');

    // The PDF: stored content-addressed under bodies/, byte for byte, never parsed as HTML.
    expect(byPath.get('/doc.pdf')!.contentType).toBe('application/pdf');
    const bodies = join(cli.dataDir, 'bodies');
    const stored = readdirSync(bodies, {recursive: true, withFileTypes: true}).filter((entry) => entry.isFile() && entry.name.endsWith('.pdf'));
    expect(stored).toHaveLength(1);
    expect(readFileSync(join(stored[0]!.parentPath, stored[0]!.name)).equals(PDF_BYTES)).toBe(true);

    // The image with a path-traversal name is stored under its hash, inside the data dir.
    const media = readdirSync(join(cli.dataDir, 'media'), {recursive: true, withFileTypes: true}).filter((entry) => entry.isFile());
    expect(media.map((entry) => entry.name)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.png$/)]);
    expect(existsSync(join(cli.dataDir, '..', 'etc'))).toBe(false);
  });

  test('export writes every result as JSONL or CSV', async () => {
    const cli = cliEnvironment(redis.url);
    await runCli([...cli.flags, 'add', '--mode', 'http', `${site.url}public`, site.url], cli.env);
    await runCli([...cli.flags, 'run', '--no-ui', '--exit-when-idle'], cli.env);

    const jsonl = await runCli([...cli.flags, 'export'], cli.env);
    expect(jsonl.code).toBe(0);
    const records = jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line) as {url: string; title: string});
    expect(records.map((r) => r.title).sort()).toEqual(['Home red', 'Public']);

    const out = join(cli.dataDir, 'out.csv');
    const csv = await runCli([...cli.flags, 'export', '--format', 'csv', '--out', out], cli.env);
    expect(csv.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('url,finalUrl,status,mode,title,description,h1,links,media,crawlId,depth,jobId,scrapedAtMs');
    expect(lines).toHaveLength(3);
    expect(lines.some((line) => line.startsWith(`${site.url}public,${site.url}public,200,http,Public,`))).toBe(true);

    const unknown = await runCli([...cli.flags, 'export', '--crawl', 'nosuchcrawl'], cli.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^crawler-tui: no results for crawl "nosuchcrawl"/);
  });
});

import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

/**
 * A small built-in web site on loopback for `crawler-tui demo`: works offline, touches no real
 * host. Page i links to 2i+1 and 2i+2 (so a crawl from / reaches every page) and a few others;
 * a script adds a marker after load (what only browser mode sees); one page in ten fails once
 * with a 503 to show retries, and one page is missing to show a permanent failure.
 */
export interface DemoSite {
  readonly url: string;
  readonly pages: number;
  close(): Promise<void>;
}

const WORDS = 'queue worker browser crawl page link redis retry scale memory event loop pool node fleet schedule result media'.split(' ');

function pageHtml(i: number, pages: number): string {
  const links = new Set<number>([2 * i + 1, 2 * i + 2, (i * 7 + 3) % pages, (i * 13 + 5) % pages, i + 1]);
  const anchors = [...links].filter((j) => j < pages + 1 && j !== i).map((j) => `<a href="/p/${j}">page ${j}</a>`);
  const words = Array.from({length: 80}, (_, k) => WORDS[(i * 31 + k * 7) % WORDS.length]).join(' ');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Demo page ${i}</title>` +
    `<meta name="description" content="Page ${i} of the crawler-tui demo site"></head><body>` +
    `<h1>Demo page ${i}</h1><nav>${anchors.join(' ')}</nav><main><p>${words}</p>` +
    `<img src="/img/${i % 5}.svg" alt="figure"></main>` +
    `<script>addEventListener('load',()=>{document.title+=' [js]'})</script></body></html>`
  );
}

function svg(k: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="hsl(${k * 70},60%,50%)"/></svg>`;
}

export function startDemoSite(options: {pages?: number; latencyMs?: number} = {}): Promise<DemoSite> {
  const pages = options.pages ?? 120;
  const latencyMs = options.latencyMs ?? 60;
  const flakyHits = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    const reply = () => {
      const image = /^\/img\/(\d)\.svg$/.exec(path);
      if (image) return void res.writeHead(200, {'content-type': 'image/svg+xml'}).end(svg(Number(image[1])));
      const match = path === '/' ? ['/', '0'] : /^\/p\/(\d+)$/.exec(path);
      const i = match ? Number(match[1]) : -1;
      if (i < 0 || i >= pages || i === pages - 1) return void res.writeHead(404, {'content-type': 'text/plain'}).end('not found');
      if (i % 10 === 9) {
        const hits = (flakyHits.get(i) ?? 0) + 1;
        flakyHits.set(i, hits);
        if (hits === 1) return void res.writeHead(503, {'retry-after': '1', 'content-type': 'text/plain'}).end('busy, come back');
      }
      res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(pageHtml(i, pages));
    };
    setTimeout(reply, latencyMs);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        pages,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

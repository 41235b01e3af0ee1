import {spawn, type ChildProcess} from 'node:child_process';
import {createInterface} from 'node:readline';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {extractFromHtml, stripControlChars} from '../../../src/engine/scrape/extract.js';
import {closeHttpAgents, httpFetch} from '../../../src/engine/scrape/http-fetch.js';

const PAGE = 'https://example.com/dir/page.html';

describe('stripControlChars', () => {
  test.each([
    ['plain text', 'plain text'],
    ['  spaced \t out\r\n lines \n', 'spaced out lines'],
    ['\u001b[31mred\u001b[0m text', 'red text'],
    ['\u001b[1;38;5;196mbold\u001b[m', 'bold'],
    ['\u001b]0;evil title\u0007after', 'after'],
    ['\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['\u009b2Jcleared', 'cleared'],
    ['\u001bcreset', 'reset'],
    ['\u001b(Bcharset', 'charset'],
    ['a\u0000b\u0007c\u007fd\u0085e\u009ff', 'abcdef'],
    ['\u202eevil\u202c and \u2066iso\u2069', 'evil and iso'],
    ['keeps ünïcödé, emoji 🚀 and NBSP\u00a0too', 'keeps ünïcödé, emoji 🚀 and NBSP too'],
    ['unterminated \u001b]0;osc text', 'unterminated 0;osc text'], // only the introducer goes
    ['lone escape at end \u001b', 'lone escape at end'],
  ])('%j -> %j', (input, expected) => {
    expect(stripControlChars(input)).toBe(expected);
  });

  test('stays fast on hostile input', () => {
    const hostile = '\u001b]'.repeat(50_000) + '\u001b['.repeat(50_000);
    const startedMs = Date.now();
    expect(stripControlChars(hostile)).not.toMatch(/\u001b/);
    expect(Date.now() - startedMs).toBeLessThan(2_000);
  });
});

describe('extractFromHtml', () => {
  test('extracts the basic facts', () => {
    const facts = extractFromHtml(
      `<!doctype html><html><head>
        <title> My  Page </title>
        <meta name="Description" content="About &amp; more">
        <link rel="alternate canonical" href="/canonical?utm_source=x&b=2&a=1#top">
      </head><body>
        <h1>Main <em>heading</em></h1>
        <p>First paragraph.</p><p>Second<br>line &lt;ok&gt;</p>
        <script>var hidden = "script text";</script>
        <style>.hidden{}</style>
        <noscript>no script text</noscript>
        <template><p>template text</p></template>
        <h1>Second heading</h1>
      </body></html>`,
      PAGE,
    );
    expect(facts.title).toBe('My Page');
    expect(facts.description).toBe('About & more');
    expect(facts.canonicalUrl).toBe('https://example.com/canonical?a=1&b=2');
    expect(facts.h1).toBe('Main heading');
    expect(facts.textExcerpt).toBe('Main heading First paragraph. Second line <ok> Second heading');
    expect(facts.links).toEqual([]);
    expect(facts.media).toEqual([]);
  });

  test('resolves relative links, normalises, de-duplicates and keeps document order', () => {
    const facts = extractFromHtml(
      `<a href="b.html">b</a>
       <a href="/root?z=1&a=2">root</a>
       <a href="../up/">up</a>
       <a href="B.html#section">same as b? no: case matters in paths</a>
       <a href="b.html#again">b again</a>
       <a href="//cdn.example.net/x">protocol-relative</a>
       <a href="HTTPS://EXAMPLE.COM:443/dir/b.html">b, shouted</a>
       <a rel="nofollow" href="/nofollow">kept</a>
       <map><area href="/area" alt="x"></map>
       <a href="javascript:alert(1)">js</a>
       <a href=" JavaScript:void(0) ">js</a>
       <a href="mailto:me@example.com">mail</a>
       <a href="tel:+123">tel</a>
       <a href="data:text/html,hi">data</a>
       <a href="ftp://example.com/f">ftp</a>
       <a href="#top">in-page</a>
       <a href="">empty</a>
       <a>no href</a>
       <a href="http://exa mple.com/">broken host</a>`,
      PAGE,
    );
    expect(facts.links).toEqual([
      'https://example.com/dir/b.html',
      'https://example.com/root?a=2&z=1',
      'https://example.com/up/',
      'https://example.com/dir/B.html',
      'https://cdn.example.net/x',
      'https://example.com/nofollow',
      'https://example.com/area',
    ]);
  });

  test('honours <base href> for links, media and canonical', () => {
    const facts = extractFromHtml(
      `<head><base href="http://static.example.org/base/"><base href="http://ignored.example/">
       <link rel="canonical" href="canon"></head>
       <body><a href="next">n</a><img src="img/a.png"><a href="/abs">abs</a></body>`,
      PAGE,
    );
    expect(facts.canonicalUrl).toBe('http://static.example.org/base/canon');
    expect(facts.links).toEqual(['http://static.example.org/base/next', 'http://static.example.org/abs']);
    expect(facts.media).toEqual(['http://static.example.org/base/img/a.png']);
  });

  test('a relative <base href> resolves against the page; a bad one is ignored', () => {
    expect(extractFromHtml('<base href="/other/"><a href="x">x</a>', PAGE).links).toEqual(['https://example.com/other/x']);
    expect(extractFromHtml('<base href="javascript:evil"><a href="x">x</a>', PAGE).links).toEqual([
      'https://example.com/dir/x',
    ]);
  });

  test('decodes entities in text, attributes and URLs', () => {
    const facts = extractFromHtml(
      `<title>Caf&eacute; &amp; Bar &#x1F680; &quot;q&quot;</title><h1>&lt;h1&gt;</h1>
       <a href="/search?q=a&amp;lang=en">s</a>`,
      PAGE,
    );
    expect(facts.title).toBe('Café & Bar 🚀 "q"');
    expect(facts.h1).toBe('<h1>');
    expect(facts.links).toEqual(['https://example.com/search?lang=en&q=a']);
  });

  test('strips escape sequences and bidi overrides from every string', () => {
    const facts = extractFromHtml(
      `<title>\u001b[31mRed\u001b[0m \u001b]0;pwned\u0007Title\u202e</title>
       <meta name="description" content="desc\u001b[2J\u0000ription">
       <h1>Head\u001b[1mline</h1><p>body\u0007 text\u2066</p>`,
      PAGE,
    );
    expect(facts.title).toBe('Red Title');
    expect(facts.description).toBe('description');
    expect(facts.h1).toBe('Headline');
    expect(facts.textExcerpt).toBe('Headline body text');
    expect(JSON.stringify(facts)).not.toMatch(/\\u001b|\\u0007|\u202e|\u2066/);
  });

  test('collects media: img src and first srcset candidate, video src/poster, audio, source', () => {
    const facts = extractFromHtml(
      `<img src="/a.png" srcset="/a-1x.png 1x, /a-2x.png 2x">
       <img srcset="  /b,c.jpg 480w, /b-big.jpg 800w">
       <img src="/a.png">
       <picture><source srcset="/pic.webp" type="image/webp"><img src="data:image/png;base64,AAAA"></picture>
       <video src="/v.mp4" poster="/poster.jpg"><source src="/v.webm"></video>
       <audio src="/s.mp3"></audio>
       <img src="javascript:x">`,
      PAGE,
    );
    expect(facts.media).toEqual([
      'https://example.com/a.png',
      'https://example.com/a-1x.png',
      'https://example.com/b,c.jpg',
      'https://example.com/pic.webp',
      'https://example.com/v.mp4',
      'https://example.com/poster.jpg',
      'https://example.com/v.webm',
      'https://example.com/s.mp3',
    ]);
  });

  test('caps title, description, h1, excerpt and links', () => {
    const long = 'x'.repeat(5000);
    const links = Array.from({length: 30}, (_, i) => `<a href="/l/${i}">${i}</a>`).join('');
    const facts = extractFromHtml(
      `<title>${long}</title><meta name="description" content="${long}"><h1>${long}</h1><p>${long}</p>${links}`,
      PAGE,
      {excerptChars: 100, maxLinks: 10},
    );
    expect(facts.title).toHaveLength(1000);
    expect(facts.description).toHaveLength(2000);
    expect(facts.h1).toHaveLength(1000);
    expect(facts.textExcerpt).toHaveLength(100);
    expect(facts.links).toHaveLength(10);
    expect(facts.links[9]).toBe('https://example.com/l/9');
  });

  test('the default excerpt is about 500 characters', () => {
    const text = Array.from({length: 400}, (_, i) => `word${i}`).join(' ');
    const excerpt = extractFromHtml(`<p>${text}</p>`, PAGE).textExcerpt;
    expect(excerpt.length).toBeLessThanOrEqual(500);
    expect(excerpt.length).toBeGreaterThan(490);
    expect(text.startsWith(excerpt)).toBe(true);
  });

  test('falls back to og:description and ignores an svg <title>', () => {
    const facts = extractFromHtml(
      `<body><svg><title>icon</title></svg><meta property="og:description" content="from og">
       <title>Real title</title><p>text</p></body>`,
      PAGE,
    );
    expect(facts.title).toBe('Real title');
    expect(facts.description).toBe('from og');
    expect(facts.textExcerpt).toBe('text');
  });

  test('copes with missing and unclosed elements', () => {
    expect(extractFromHtml('', PAGE)).toEqual({
      title: '',
      description: '',
      canonicalUrl: undefined,
      h1: '',
      textExcerpt: '',
      links: [],
      media: [],
    });
    const facts = extractFromHtml('<title>Unclosed', PAGE);
    expect(facts.title).toBe('Unclosed');
    expect(extractFromHtml('<h1>open <p>heading', PAGE).h1).toBe('open heading');
  });
});

describe('extractFromHtml on the local test site', () => {
  let site: ChildProcess | undefined;
  let siteUrl = '';

  beforeAll(async () => {
    const child = spawn(process.execPath, ['/work/shared/site/server.cjs', '--port', '0', '--pages', '50'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    site = child;
    const lines = createInterface({input: child.stdout!});
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`test site exited early with code ${code}`)));
      lines.once('line', resolve);
    });
    lines.close();
    const match = /^site: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(firstLine);
    if (!match?.[1]) throw new Error(`unexpected first line from the test site: ${firstLine}`);
    siteUrl = match[1];
  });

  afterAll(async () => {
    await closeHttpAgents();
    if (site?.pid !== undefined && site.exitCode === null) {
      const exited = new Promise((resolve) => site!.once('exit', resolve));
      process.kill(site.pid, 'SIGTERM');
      await exited;
    }
  });

  test('page 3 yields its title, tree links and images', async () => {
    const pageUrl = new URL('/p/3', siteUrl).href;
    const fetched = await httpFetch(pageUrl, {
      connectTimeoutMs: 2_000,
      totalTimeoutMs: 10_000,
      maxRedirects: 3,
      maxBodyBytes: 5 * 1024 * 1024,
      userAgent: 'crawler-tui-test/1.0',
    });
    expect(fetched.contentType).toBe('text/html');
    const facts = extractFromHtml(fetched.body!.toString('utf8'), fetched.finalUrl);

    expect(facts.title).toMatch(/^Page 3: /);
    expect(facts.h1).toBe(facts.title);
    expect(facts.links).toContain(new URL('/p/7', siteUrl).href);
    expect(facts.links).toContain(new URL('/p/8', siteUrl).href);
    expect(facts.links).toContain(new URL('/p/4', siteUrl).href);
    expect(new Set(facts.links).size).toBe(facts.links.length);
    for (const link of facts.links) expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/p\/\d+$/);

    const images = facts.media.filter((url) => new URL(url).pathname.startsWith('/img/'));
    expect(images.length).toBeGreaterThanOrEqual(3);
    expect(images.length).toBeLessThanOrEqual(5);
    expect(images).toEqual(facts.media);

    expect(facts.textExcerpt.length).toBeGreaterThan(400);
    expect(facts.textExcerpt.length).toBeLessThanOrEqual(500);
    expect(facts.textExcerpt).not.toMatch(/addEventListener|font-family/); // no script or style text
  });
});

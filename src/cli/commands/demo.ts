import type {ResolvedSettings} from '../../config/resolve.js';
import type {Settings} from '../../config/settings.js';
import {createEngine} from '../../engine/create-engine.js';
import {startDemoSite} from '../../engine/demo-site.js';
import {addCrawls} from '../../engine/enqueue.js';

/**
 * `crawler-tui demo`: serves the built-in site on loopback and crawls it with a real engine, so
 * a newcomer sees queues, retries and results without a URL of their own. It uses its own key
 * prefix (unless --prefix is given) so it never mixes with real queues.
 */
export async function runDemo(resolved: ResolvedSettings, options: {pages?: number}): Promise<number> {
  const prefix = resolved.sources['redis.prefix'] === 'default' ? 'crawler-demo' : resolved.settings.redis.prefix;
  const settings: Settings = {
    ...resolved.settings,
    redis: {...resolved.settings.redis, prefix},
    scrape: {...resolved.settings.scrape, mode: 'http', backoffMs: 500},
  };
  const site = await startDemoSite({pages: options.pages ?? 120});
  const engine = await createEngine(settings);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const [crawl] = await addCrawls(engine.backend, [site.url], {
      mode: 'http',
      origin: 'manual',
      maxPages: 1000,
      maxDepth: 20,
      include: [],
      exclude: [],
      sameOrigin: true,
    });
    write(`crawler-tui demo: built-in site at ${site.url} (${site.pages} pages, on loopback only)`);
    write(`redis: ${engine.backend.target.display}   prefix: ${prefix}   data: ${settings.dataDir}`);
    write(`crawl ${crawl!.crawlId} started; one page is missing (404) and one page in ten answers 503 once, to show retries\n`);
    if (process.stdout.isTTY && process.stdin.isTTY) {
      // In a terminal the demo is the dashboard: watch the crawl, try the keys, q to leave.
      const {preferInteractiveInk} = await import('../main.js');
      preferInteractiveInk();
      const {runUi} = await import('../run-ui.js');
      engine.start();
      await runUi(engine);
      write(`results: ${settings.dataDir}/results/${crawl!.crawlId}/   export: crawler-tui export --crawl ${crawl!.crawlId} --format csv`);
      return 0;
    }
    let stopRequested = false;
    const onSignal = () => {
      if (stopRequested) process.exit(130);
      stopRequested = true;
      void engine.stop();
    };
    process.on('SIGINT', onSignal);
    engine.on('job-failed', ({url, error, isFinal}) => write(`  ${isFinal ? 'failed ' : 'retry  '} ${url}: ${error}`));
    engine.start();
    const ticker = setInterval(() => {
      const snapshot = engine.getSnapshot();
      const scrape = snapshot.queues.find((queue) => queue.name === 'scrape')?.counts;
      if (!scrape) return;
      write(
        `  scraped ${snapshot.scrapeWorker.completed}  failed ${snapshot.scrapeWorker.failed}  waiting ${scrape.waiting + scrape.prioritized}  delayed ${scrape.delayed}  active ${scrape.active}  file tasks done ${snapshot.filePool.completed}`,
      );
    }, 1000);
    await engine.waitUntilIdle();
    clearInterval(ticker);
    const done = engine.getSnapshot().scrapeWorker;
    await engine.stop();
    process.off('SIGINT', onSignal);
    write(`\ndone: ${done.completed} pages scraped, ${done.failed} failed for good (see \`crawler-tui --prefix ${prefix} failed\`)`);
    write(`results: ${settings.dataDir}/results/${crawl!.crawlId}/   export: crawler-tui export --crawl ${crawl!.crawlId} --format csv`);
    return stopRequested ? 130 : 0;
  } finally {
    await engine.stop();
    await site.close();
  }
}

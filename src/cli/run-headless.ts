import {pino} from 'pino';
import type {Settings} from '../config/settings.js';
import {createEngine} from '../engine/create-engine.js';
import {stripControlChars} from '../engine/scrape/extract.js';

export interface RunOptions {
  readonly exitWhenIdle: boolean;
  readonly statsIntervalMs?: number;
}

/**
 * `run --no-ui`: the engine with JSON log lines on stdout (pino), for PM2 and systemd. The first
 * SIGINT/SIGTERM drains gracefully; a second one exits at once (the jobs still active are
 * recovered as stalled by the next node that starts).
 */
export async function runHeadless(settings: Settings, options: RunOptions): Promise<number> {
  const log = pino({level: settings.log.level, base: {pid: process.pid}});
  const engine = await createEngine(settings);
  let exitCode = 0;
  let signalCount = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signalCount++;
    if (signalCount > 1) {
      log.warn({signal}, 'second signal: exiting now; active jobs will be recovered as stalled');
      process.exit(130);
    }
    exitCode = signal === 'SIGINT' ? 130 : 0;
    log.info({signal, graceMs: settings.shutdown.graceMs}, 'stopping: finishing active jobs');
    void engine.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  engine.on('job-completed', ({queue, jobId, url, durationMs, outcome}) => {
    if (queue === 'scrape') log.info({event: 'job-completed', jobId, url, durationMs, status: outcome?.status, links: outcome?.links}, 'page scraped');
    else log.debug({event: 'file-task-completed', jobId, durationMs}, 'file task done');
  });
  engine.on('job-failed', ({queue, jobId, url, error, attemptsMade, isFinal}) => {
    const fields = {event: 'job-failed', queue, jobId, url, error: stripControlChars(error), attemptsMade, isFinal};
    if (isFinal) log.error(fields, 'job failed');
    else log.warn(fields, 'attempt failed; will retry');
  });
  engine.on('event', (event) => {
    if (event.kind === 'started') return;
    log[event.level]({event: event.kind}, event.message);
  });

  engine.start();
  log.info({event: 'started', redis: engine.backend.target.display, dataDir: settings.dataDir, concurrency: settings.scrape.concurrency, fileWorkers: settings.files.workers}, 'node started');
  // PM2 (wait_ready) and similar managers wait for this before counting the node as up.
  process.send?.('ready');

  const statsTimer = setInterval(() => {
    const snapshot = engine.getSnapshot();
    const queues = Object.fromEntries(snapshot.queues.map((queue) => [queue.name, queue.counts]));
    const lastMinute = snapshot.throughput.slice(-60).reduce((sum, point) => sum + point.value, 0);
    log.info({event: 'stats', queues, pagesLastMinute: lastMinute, filePool: snapshot.filePool, rssBytes: process.memoryUsage().rss}, 'stats');
  }, options.statsIntervalMs ?? 10_000);
  statsTimer.unref();

  const stopped = new Promise<void>((resolve) => engine.on('change', () => engine.getSnapshot().phase === 'stopped' && resolve()));
  if (options.exitWhenIdle) {
    const idle = new AbortController();
    void engine.waitUntilIdle(idle.signal).then(() => {
      if (engine.getSnapshot().phase !== 'running') return;
      log.info({event: 'idle'}, 'nothing waiting, delayed or active: stopping (--exit-when-idle)');
      void engine.stop();
    });
    await stopped;
    idle.abort();
  } else {
    await stopped;
  }
  clearInterval(statsTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const snapshot = engine.getSnapshot();
  log.info({event: 'stopped', completed: snapshot.scrapeWorker.completed, failed: snapshot.scrapeWorker.failed}, 'node stopped');
  log.flush();
  return exitCode;
}

import type {Settings} from '../config/settings.js';
import {createEngine} from '../engine/create-engine.js';
import {runUi} from './run-ui.js';

/**
 * `run` in a terminal: the engine and the dashboard in one process. The dashboard owns the
 * keyboard (q drains, a second q forces); SIGTERM from a process manager drains the same way.
 */
export async function runDashboard(settings: Settings, options: {exitWhenIdle: boolean}): Promise<number> {
  const engine = await createEngine(settings);
  const onSignal = () => void engine.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  engine.start();
  if (options.exitWhenIdle) void engine.waitUntilIdle().then(() => engine.stop());
  try {
    await runUi(engine);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  return 0;
}

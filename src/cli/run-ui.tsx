import {render} from 'ink';
import type {EngineView} from '../engine/contract.js';
import {App, type DashboardExit} from '../ui/app.js';

export interface RunUiOptions {
  /** @default process.stdout */
  readonly stdout?: NodeJS.WriteStream;
  /** @default process.stdin */
  readonly stdin?: NodeJS.ReadStream;
  /** Least time between two redraws for engine changes (keys redraw at once). @default 1000 */
  readonly refreshIntervalMs?: number;
  /**
   * Draw `console.*` output above the dashboard instead of through it (Ink's patchConsole).
   * Engine logs must not go to the terminal while the dashboard owns it.
   * @default true
   */
  readonly patchConsole?: boolean;
}

/** The exit code of a forced quit (q twice): the jobs still active are recovered as stalled. */
const EXIT_FORCED = 130;

/**
 * Shows the dashboard until the operator quits. The first q drains the engine (`engine.stop()`,
 * called by the dashboard so it can show "draining…"); the promise resolves once it has stopped.
 * A second q exits the process at once with code 130. Ctrl+C is a key of the dashboard (q), not a
 * signal, while the dashboard has the terminal.
 */
export async function runUi(engine: EngineView, options: RunUiOptions = {}): Promise<void> {
  const instance = render(<App engine={engine} {...(options.refreshIntervalMs !== undefined ? {refreshIntervalMs: options.refreshIntervalMs} : {})} />, {
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
    maxFps: 15,
    ...(options.stdout ? {stdout: options.stdout} : {}),
    ...(options.stdin ? {stdin: options.stdin} : {}),
  });
  let outcome: DashboardExit | undefined;
  try {
    outcome = (await instance.waitUntilExit()) as DashboardExit | undefined;
  } finally {
    if (outcome !== 'forced') {
      // The dashboard normally drained the engine already (same promise); after a crash of the
      // dashboard this is what stops it.
      await engine.stop();
    }
  }
  if (outcome === 'forced') {
    process.stderr.write('crawler-tui: forced exit; jobs still active will be recovered as stalled by the next node\n');
    process.exit(EXIT_FORCED);
  }
}

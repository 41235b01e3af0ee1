// The process side of the dashboard: runUi renders, the first q drains the engine and resolves,
// a second q exits with 130, and an engine stopped from elsewhere ends the dashboard.
import {EventEmitter} from 'node:events';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {runUi} from '../../src/cli/run-ui.js';
import {createFakeEngine} from '../fakes/fake-engine.js';
import {makeSnapshot} from '../fixtures/snapshots.js';
import {eventually, unstyled} from '../helpers/render-app.js';

class FakeStdout extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  frames: string[] = [];
  write = (chunk: string) => {
    this.frames.push(chunk);
    return true;
  };
  text(): string {
    return unstyled(this.frames.join(''));
  }
}

class FakeStdin extends EventEmitter {
  isTTY: boolean;
  private data: string | null = null;
  constructor(isTTY = true) {
    super();
    this.isTTY = isTTY;
  }
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const data = this.data;
    this.data = null;
    return data;
  };
  press(data: string) {
    this.data = data;
    this.emit('readable');
  }
}

function streams(isTTY = true) {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin(isTTY);
  return {stdout, stdin, options: {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, refreshIntervalMs: 0, patchConsole: false}};
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runUi', () => {
  test('q shows draining, stops the engine, and resolves once it has stopped', async () => {
    const engine = createFakeEngine(makeSnapshot(), {holdStop: true});
    const {stdout, stdin, options} = streams();
    let isDone = false;
    const running = runUi(engine, options).then(() => (isDone = true));
    await eventually(() => expect(stdout.text()).toContain('Queues'));
    stdin.press('q');
    await eventually(() => expect(stdout.text()).toContain('draining…'));
    expect(engine.calls.filter((call) => call.command === 'stop')).toHaveLength(1);
    expect(isDone).toBe(false);
    engine.finishStop();
    await running;
    expect(isDone).toBe(true);
  });

  test('a second q exits at once with 130', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const engine = createFakeEngine(makeSnapshot(), {holdStop: true});
    const {stdout, stdin, options} = streams();
    const running = runUi(engine, options);
    await eventually(() => expect(stdout.text()).toContain('Queues'));
    stdin.press('q');
    await eventually(() => expect(stdout.text()).toContain('draining…'));
    stdin.press('q');
    await running;
    expect(exit).toHaveBeenCalledWith(130);
  });

  test('an engine stopped from elsewhere (a signal) ends the dashboard', async () => {
    const engine = createFakeEngine(makeSnapshot());
    const {stdout, options} = streams();
    const running = runUi(engine, options);
    await eventually(() => expect(stdout.text()).toContain('Queues'));
    engine.push({phase: 'stopped'});
    await running;
  });

  test('without a TTY on stdin the dashboard draws and reads no keys', async () => {
    const engine = createFakeEngine(makeSnapshot());
    const {stdout, options} = streams(false);
    const running = runUi(engine, options);
    await eventually(() => expect(stdout.text()).toContain('Queues'));
    engine.push({phase: 'stopped'});
    await running;
  });
});

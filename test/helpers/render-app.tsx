// Renders the dashboard against a fake engine with ink-testing-library, presses keys by binding
// id, and waits for frames by polling (frames update after a macrotask; never sleep a fixed time).
import {onTestFinished} from 'vitest';
import {render} from 'ink-testing-library';
import {App, type AppProps} from '../../src/ui/app.js';
import {bindingById, type BindingId} from '../../src/ui/keymap.js';
import type {FakeEngine} from '../fakes/fake-engine.js';

/** Terminal bytes for the key names of the keymap table. */
const SEQUENCES: Record<string, string> = {
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  'shift+tab': '\u001b[Z',
  up: '\u001b[A',
  down: '\u001b[B',
  pageup: '\u001b[5~',
  pagedown: '\u001b[6~',
  backspace: '\u007f',
};

export function sequenceOf(keyName: string): string {
  if (SEQUENCES[keyName]) return SEQUENCES[keyName];
  if (keyName.startsWith('ctrl+')) return String.fromCharCode(keyName.charCodeAt(5) - 96);
  return keyName;
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

export function unstyled(frame: string): string {
  return frame.replace(SGR, '');
}

export interface RenderedApp {
  /** The newest frame without colours. */
  frame(): string;
  /** The newest frame as written, colours included. */
  rawFrame(): string;
  /** Every frame written so far, as written. */
  frames(): readonly string[];
  /** Polls until the frame contains `text` (or the predicate holds); fails with the last frame. */
  waitForFrame(text: string | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Presses the first key of a binding and waits for the next frame. */
  press(id: BindingId, keyIndex?: number): Promise<void>;
  /** Writes raw input (a key name of the table or literal text) and waits a tick. */
  type(text: string): Promise<void>;
  /** Resizes the fake terminal and tells Ink. */
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export interface RenderAppOptions extends Omit<AppProps, 'engine'> {
  readonly columns?: number;
  readonly rows?: number;
}

export async function renderApp(engine: FakeEngine, options: RenderAppOptions = {}): Promise<RenderedApp> {
  const {columns, rows, ...props} = options;
  const instance = render(<App engine={engine} refreshIntervalMs={0} {...props} />);
  let isUnmounted = false;
  const unmount = () => {
    if (isUnmounted) return;
    isUnmounted = true;
    instance.unmount();
  };
  onTestFinished(unmount);

  const setSize = (c: number | undefined, r: number | undefined) => {
    if (c !== undefined) Object.defineProperty(instance.stdout, 'columns', {value: c, configurable: true});
    if (r !== undefined) Object.defineProperty(instance.stdout, 'rows', {value: r, configurable: true});
    instance.stdout.emit('resize');
  };
  const app: RenderedApp = {
    frame: () => unstyled(instance.lastFrame() ?? ''),
    rawFrame: () => instance.lastFrame() ?? '',
    frames: () => instance.frames,
    async waitForFrame(expected, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      const holds = typeof expected === 'string' ? (frame: string) => frame.includes(expected) : expected;
      for (;;) {
        const frame = app.frame();
        if (holds(frame)) return frame;
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${typeof expected === 'string' ? JSON.stringify(expected) : 'a frame'}; last frame:\n${frame}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async press(id, keyIndex = 0) {
      const key = bindingById(id).keys[keyIndex];
      if (key === undefined) throw new Error(`binding ${id} has no key ${keyIndex}`);
      instance.stdin.write(sequenceOf(key));
      // Ink hands a lone ESC over after a setImmediate; two ticks cover it and the render.
      await tick();
      await tick();
    },
    async type(text) {
      instance.stdin.write(SEQUENCES[text] ?? text);
      await tick();
      await tick();
    },
    async resize(c, r) {
      setSize(c, r);
      await tick();
    },
    unmount,
  };
  if (columns !== undefined || rows !== undefined) setSize(columns, rows);
  await app.waitForFrame((frame) => frame.includes('crawler-tui'));
  return app;
}

/** Polls until `check` stops throwing (for assertions on engine calls made asynchronously). */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

import {createContext, useContext, useEffect, useState, type ReactNode} from 'react';
import type {EngineSnapshot, EngineView} from '../engine/contract.js';

const EngineContext = createContext<EngineView | undefined>(undefined);

export interface EngineProviderProps {
  readonly engine: EngineView;
  readonly children: ReactNode;
}

export function EngineProvider({engine, children}: EngineProviderProps) {
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

/** The engine of the nearest {@link EngineProvider}; throws without one, so wiring bugs show at once. */
export function useEngine(): EngineView {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine() needs an <EngineProvider engine={...}> above it (see src/ui/app.tsx)');
  return engine;
}

/**
 * The engine's snapshot, re-read at most once per `intervalMs`: the first change after a quiet
 * period shows at once, a burst of changes shows as one render at the end of the interval. The
 * engine publishes about once a second, but bursts (many jobs failing at once) must not turn into
 * a render per job.
 * @param intervalMs @default 250
 */
export function useEngineSnapshot(engine: EngineView, intervalMs = 250): EngineSnapshot {
  const [snapshot, setSnapshot] = useState(() => engine.getSnapshot());
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let lastReadAtMs = 0;
    const read = () => {
      timer = undefined;
      lastReadAtMs = Date.now();
      setSnapshot(engine.getSnapshot());
    };
    const unsubscribe = engine.subscribe(() => {
      if (timer) return;
      const waitMs = lastReadAtMs + intervalMs - Date.now();
      if (waitMs <= 0) read();
      else timer = setTimeout(read, waitMs);
    });
    // The snapshot may have changed between the first render and the subscription.
    setSnapshot(engine.getSnapshot());
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [engine, intervalMs]);
  return snapshot;
}

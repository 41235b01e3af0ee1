import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

/** Rows assumed when the output is not a terminal (tests, pipes): room for every panel. */
export const FALLBACK_ROWS = 40;
/** Columns assumed when the output reports none. */
export const FALLBACK_COLUMNS = 80;

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

function read(stdout: NodeJS.WriteStream): TerminalSize {
  return {columns: stdout.columns || FALLBACK_COLUMNS, rows: stdout.rows || FALLBACK_ROWS};
}

/** The output's size, following `resize` events. */
export function useTerminalSize(): TerminalSize {
  const {stdout} = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => {
      const next = read(stdout);
      setSize((previous) => (previous.columns === next.columns && previous.rows === next.rows ? previous : next));
    };
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

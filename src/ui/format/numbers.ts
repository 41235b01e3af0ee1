const KiB = 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `0 B`, `512 B`, `1.5 KiB`, `3.0 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= KiB && unit < UNITS.length - 1) {
    value /= KiB;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Counts that fit 7 columns: `999`, `12,345`, `123k`, `1.2M`, `12.3M`, `1.2G`. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '–';
  const sign = count < 0 ? '-' : '';
  const n = Math.abs(Math.round(count));
  if (n < 100_000) return sign + n.toLocaleString('en-US');
  if (n < 1_000_000) return `${sign}${Math.floor(n / 1000)}k`;
  if (n < 1_000_000_000) return `${sign}${(n / 1_000_000).toFixed(1)}M`;
  return `${sign}${(n / 1_000_000_000).toFixed(1)}G`;
}

/** A 0-1 ratio as a whole percentage: `0%`, `43%`, `100%`. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${Math.round(ratio * 100)}%`;
}

/** Milliseconds for a latency: `0.4 ms`, `12 ms`, `1.2 s`. */
export function formatLatencyMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

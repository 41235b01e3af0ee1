/**
 * A duration in its two largest units, compact: `0s`, `45s`, `3m05s`, `2h14m`, `3d04h`.
 * Negative or unknown durations print as `–`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  const days = Math.floor(hours / 24);
  return `${days}d${String(hours % 24).padStart(2, '0')}h`;
}

/** How long ago, in one unit: `now`, `12s`, `4m`, `3h`, `2d`. */
export function formatAge(atMs: number | undefined, nowMs: number): string {
  if (atMs === undefined || !Number.isFinite(atMs)) return '–';
  const ms = Math.max(0, nowMs - atMs);
  if (ms < 1000) return 'now';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** A timestamp for detail views: `2026-05-04 12:03:58 UTC (4m ago)`. */
export function formatTimestamp(atMs: number | undefined, nowMs: number): string {
  if (atMs === undefined || !Number.isFinite(atMs)) return '–';
  const iso = new Date(atMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const age = formatAge(atMs, nowMs);
  return `${iso} (${age === 'now' ? 'just now' : `${age} ago`})`;
}

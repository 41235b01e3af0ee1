import {Text} from 'ink';
import type {EngineSnapshot, PoolLimits, PoolName, ScaleDecisionSummary} from '../../engine/contract.js';
import {formatAge} from '../format/duration.js';
import {formatBytes} from '../format/numbers.js';
import {sanitize} from '../format/sanitize.js';
import {fit} from '../format/text.js';
import {glyphs, theme} from '../theme.js';
import type {DashboardState} from '../state/dashboard-state.js';
import {POOLS} from '../state/selectors.js';
import {Panel} from './panel.js';

/** One pool as the panel shows it, whichever pool it is. */
export interface PoolRow {
  readonly pool: PoolName;
  readonly isPresent: boolean;
  /** Why there is no pool, when there is none. */
  readonly absentReason?: string;
  readonly size: number;
  readonly targetSize: number;
  /** The size asked for with a key but not yet in the snapshot. */
  readonly pendingSize?: number;
  readonly isAuto: boolean;
  readonly busy: string;
  readonly limits?: PoolLimits;
  readonly extra: string;
  readonly lastDecision?: ScaleDecisionSummary;
  readonly growthBlocker?: string;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : noun.endsWith('sh') ? 'es' : 's'}`;
}

export function poolRows(snapshot: EngineSnapshot, intents: DashboardState['scaleIntents']): PoolRow[] {
  const browser = snapshot.browserPool;
  const browserProblem = snapshot.problems.find((problem) => problem.kind === 'browser-unavailable');
  const browsers: PoolRow = browser
    ? {
        pool: 'browsers',
        isPresent: true,
        size: browser.size,
        targetSize: browser.targetSize,
        ...(intents.browsers ? {pendingSize: intents.browsers.size} : {}),
        isAuto: browser.isAuto,
        busy: `busy ${browser.busy}/${browser.capacity} pages`,
        ...(browser.limits ? {limits: browser.limits} : {}),
        extra: [
          browser.waiting > 0 ? `${browser.waiting} wait` : '',
          plural(browser.restarts, 'restart'),
          browser.crashes > 0 ? plural(browser.crashes, 'crash') : '',
          browser.rssBytes !== undefined ? formatBytes(browser.rssBytes) : '',
        ]
          .filter(Boolean)
          .join('  '),
        ...(browser.lastDecision ? {lastDecision: browser.lastDecision} : {}),
        ...(browser.growthBlocker ? {growthBlocker: browser.growthBlocker} : {}),
      }
    : {
        pool: 'browsers',
        isPresent: false,
        absentReason: browserProblem ? browserProblem.message : 'no browser pool on this node (http mode only)',
        size: 0,
        targetSize: 0,
        isAuto: false,
        busy: '',
        extra: '',
      };
  const files = snapshot.filePool;
  const filesRow: PoolRow = {
    pool: 'files',
    isPresent: true,
    size: files.size,
    targetSize: files.targetSize,
    ...(intents.files ? {pendingSize: intents.files.size} : {}),
    isAuto: files.isAuto ?? false,
    busy: `busy ${files.busy}/${files.size} threads`,
    ...(files.limits ? {limits: files.limits} : {}),
    extra: [files.queued > 0 ? `${files.queued} queued` : '', plural(files.restarts, 'restart')].filter(Boolean).join('  '),
    ...(files.lastDecision ? {lastDecision: files.lastDecision} : {}),
    ...(files.growthBlocker ? {growthBlocker: files.growthBlocker} : {}),
  };
  return [browsers, filesRow];
}

/** `4`, `4→6` while growing, `4→6…` while a key's request is on its way. */
export function sizeLabel(row: PoolRow): string {
  const target = row.pendingSize ?? row.targetSize;
  const label = row.size === target ? `${row.size}` : `${row.size}${glyphs.arrow}${target}`;
  return row.pendingSize !== undefined && row.pendingSize !== row.targetSize ? `${label}…` : label;
}

export function decisionText(decision: ScaleDecisionSummary | undefined, nowMs: number): string {
  if (!decision) return 'no scaling decision yet';
  const age = formatAge(decision.atMs, nowMs);
  const when = age === 'now' ? 'just now' : `${age} ago`;
  const reason = sanitize(decision.reason);
  return reason.startsWith(decision.by) ? `${when}: ${reason}` : `${when}, ${decision.by}: ${reason}`;
}

export interface PoolsPanelProps {
  readonly snapshot: EngineSnapshot;
  readonly intents: DashboardState['scaleIntents'];
  readonly width: number;
  readonly height: number;
  readonly isFocused: boolean;
  readonly cursor: number;
  readonly isCompact: boolean;
}

export function PoolsPanel({snapshot, intents, width, height, isFocused, cursor, isCompact}: PoolsPanelProps) {
  const rows = poolRows(snapshot, intents);
  const autoCount = rows.filter((row) => row.isPresent && row.isAuto).length;
  return (
    <Panel title="Pools" info={autoCount > 0 ? `autoscaling ${autoCount}/${rows.filter((row) => row.isPresent).length}` : 'autoscaling off'} width={width} height={height} isFocused={isFocused}>
      {rows.map((row, index) => {
        const isSelected = index === Math.min(cursor, POOLS.length - 1);
        const marker = (
          <Text color={isSelected && isFocused ? theme.selection : theme.muted}>{isSelected ? `${glyphs.selected} ` : '  '}</Text>
        );
        const name = fit(row.pool, 9);
        if (!row.isPresent) {
          return (
            <Text key={row.pool} wrap="truncate-end">
              {marker}
              <Text inverse={isSelected && isFocused}>{name}</Text>
              <Text color={theme.muted}> none: {sanitize(row.absentReason ?? '')}</Text>
            </Text>
          );
        }
        const limits = row.limits ? `limits ${row.limits.min}-${row.limits.max}` : 'no limits';
        const decision = decisionText(row.lastDecision, snapshot.takenAtMs);
        const main = (
          <Text key={row.pool} wrap="truncate-end">
            {marker}
            <Text inverse={isSelected && isFocused}>{name}</Text>
            <Text bold>{fit(sizeLabel(row), 6, 'right')}</Text>
            {'  '}
            <Text color={row.isAuto ? theme.ok : theme.paused}>{fit(row.isAuto ? glyphs.auto : glyphs.pinned, 7)}</Text>
            {fit(row.busy, 18)}
            <Text color={theme.muted}>{fit(limits, 12)}</Text>
            {isCompact ? (
              row.growthBlocker ? (
                <Text color={theme.warn}>{`held: ${sanitize(row.growthBlocker)}`}</Text>
              ) : (
                <Text color={theme.muted}>{decision}</Text>
              )
            ) : (
              row.extra
            )}
          </Text>
        );
        if (isCompact) return main;
        return [
          main,
          <Text key={`${row.pool}-decision`} wrap="truncate-end" color={theme.muted}>
            {'    ↳ '}
            {decision}
            {row.growthBlocker ? <Text color={theme.warn}>{`  · held: ${sanitize(row.growthBlocker)}`}</Text> : null}
          </Text>,
        ];
      })}
    </Panel>
  );
}


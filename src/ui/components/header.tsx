import {Box, Text} from 'ink';
import type {EngineSnapshot} from '../../engine/contract.js';
import {formatAge, formatDuration} from '../format/duration.js';
import {sanitize} from '../format/sanitize.js';
import {theme} from '../theme.js';

/** Masks a password left in a Redis address (the engine masks it already; this is belt and braces). */
export function maskRedis(address: string): string {
  return address.replace(/(\/\/[^:/@]*:)[^@/]+@/, '$1***@').replace(/(\/\/)([^:/@]+)@/, '$1***@');
}

/** `host:pid` of this node, and how many more nodes the fleet has. */
export function nodesLabel(snapshot: EngineSnapshot): string {
  const self = `${snapshot.node.host}:${snapshot.node.pid}`;
  const others = (snapshot.nodes ?? []).filter((node) => !node.isSelf).length;
  if ((snapshot.mode ?? 'local') === 'attach') return `fleet of ${snapshot.nodes?.length ?? 0} node(s)`;
  return others > 0 ? `${self} +${others} node${others === 1 ? '' : 's'}` : self;
}

const PHASE_COLOR: Record<EngineSnapshot['phase'], string> = {starting: theme.warn, running: theme.ok, draining: theme.warn, stopped: theme.error};

interface Segment {
  readonly label: string;
  readonly value: string;
  readonly color?: string;
}

/**
 * The header's fields, shortened to fit the width: the version and the mode go first, then the
 * labels, then the other nodes' count, then this node. The phase, uptime and Redis always stay
 * (the Redis in use is what an operator must be able to see).
 */
export function headerSegments(snapshot: EngineSnapshot, width: number): Segment[] {
  const redis = sanitize(maskRedis(snapshot.redis));
  const uptime = formatDuration(snapshot.takenAtMs - snapshot.node.startedAtMs);
  const phase: Segment = {label: '', value: `● ${snapshot.phase}`, color: PHASE_COLOR[snapshot.phase]};
  const self = sanitize(`${snapshot.node.host}:${snapshot.node.pid}`);
  const redisLabel = /^redis/i.test(redis) ? '' : 'redis ';
  const candidates: Segment[][] = [
    [phase, {label: 'up ', value: uptime}, {label: 'node ', value: sanitize(nodesLabel(snapshot))}, {label: redisLabel, value: redis}, {label: 'mode ', value: snapshot.mode ?? 'local'}, {label: 'v', value: sanitize(snapshot.node.version)}],
    [phase, {label: 'up ', value: uptime}, {label: 'node ', value: sanitize(nodesLabel(snapshot))}, {label: redisLabel, value: redis}, {label: 'mode ', value: snapshot.mode ?? 'local'}],
    [phase, {label: 'up ', value: uptime}, {label: 'node ', value: sanitize(nodesLabel(snapshot))}, {label: redisLabel, value: redis}],
    [{...phase, value: `${phase.value} ${uptime}`}, {label: '', value: sanitize(nodesLabel(snapshot))}, {label: '', value: redis}],
    [{...phase, value: `${phase.value} ${uptime}`}, {label: '', value: self}, {label: '', value: redis}],
  ];
  const lengthOf = (segments: readonly Segment[]) => APP_NAME.length + segments.reduce((sum, s) => sum + 3 + s.label.length + [...s.value].length, 0);
  return candidates.find((segments) => lengthOf(segments) <= width) ?? [{...phase, value: `${phase.value} ${uptime}`}, {label: '', value: redis}];
}

const APP_NAME = ' crawler-tui';

export function Header({snapshot, width}: {snapshot: EngineSnapshot; width: number}) {
  const problems = snapshot.problems;
  const first = problems[0];
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          {APP_NAME}
        </Text>
        {headerSegments(snapshot, width).map((segment, index) => (
          <Text key={index}>
            <Text color={theme.muted}>{' │ '}</Text>
            <Text color={theme.muted}>{segment.label}</Text>
            <Text color={segment.color}>{segment.value}</Text>
          </Text>
        ))}
      </Text>
      {first ? (
        <Text wrap="truncate-end" color={theme.error} bold>
          {' ▲ '}
          {sanitize(first.message)}
          <Text bold={false}>
            {' '}
            ({first.kind}, {formatAge(first.sinceMs, snapshot.takenAtMs)})
            {problems.length > 1 ? `  +${problems.length - 1} more problem${problems.length === 2 ? '' : 's'}` : ''}
          </Text>
        </Text>
      ) : null}
    </Box>
  );
}

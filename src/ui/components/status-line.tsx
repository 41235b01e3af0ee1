import {Text} from 'ink';
import type {EngineSnapshot} from '../../engine/contract.js';
import type {DashboardState} from '../state/dashboard-state.js';
import {ADD_SYNTAX} from '../state/parse-add-input.js';
import {sanitize} from '../format/sanitize.js';
import {levelColor, theme} from '../theme.js';

export interface StatusLineProps {
  readonly state: DashboardState;
  /** Shown when there is nothing else to say. */
  readonly idleText: string;
  readonly warning: string | undefined;
  readonly phase: EngineSnapshot['phase'];
}

/** The line above the footer: a question, a prompt, the draining notice, a message, or a summary. */
export function StatusLine({state, idleText, warning, phase}: StatusLineProps) {
  if (state.prompt) {
    const label = state.prompt.kind === 'add' ? 'Add' : 'Filter failed jobs';
    return (
      <Text wrap="truncate-start">
        <Text bold color={theme.accent}>
          {` ${label} › `}
        </Text>
        {sanitize(state.prompt.text)}
        <Text inverse> </Text>
      </Text>
    );
  }
  if (state.confirm) {
    return (
      <Text wrap="truncate-end" bold color={theme.warn}>
        {` ? ${sanitize(state.confirm.message)}  `}
        <Text color={theme.key}>y</Text>
        <Text color={theme.muted}> yes  </Text>
        <Text color={theme.key}>n</Text>
        <Text color={theme.muted}> no</Text>
      </Text>
    );
  }
  if (state.quit !== 'running') {
    return (
      <Text wrap="truncate-end" bold color={theme.warn}>
        {phase === 'stopped' ? ' stopped.' : ' draining… active jobs finish, nothing new starts; q again forces the exit'}
      </Text>
    );
  }
  if (state.flash) {
    return (
      <Text wrap="truncate-end" color={state.flash.level === 'info' ? undefined : levelColor(state.flash.level)}>
        {` ${state.flash.level === 'info' ? '✓' : state.flash.level === 'warn' ? '!' : '✖'} ${sanitize(state.flash.text)}`}
      </Text>
    );
  }
  if (warning) {
    return (
      <Text wrap="truncate-end" color={theme.warn}>
        {` ${warning}`}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" color={theme.muted}>
      {` ${idleText}`}
    </Text>
  );
}

/** The prompt's second line: its syntax, or why the last try was refused. */
export function PromptHint({state}: {state: DashboardState}) {
  if (!state.prompt) return null;
  if (state.prompt.error) {
    return (
      <Text wrap="truncate-end" color={theme.error}>
        {` ✖ ${sanitize(state.prompt.error)}`}
      </Text>
    );
  }
  const hint = state.prompt.kind === 'add' ? ADD_SYNTAX : 'text in the URL or the error; empty clears the filter';
  return (
    <Text wrap="truncate-end" color={theme.muted}>
      {` ${hint}  ·  enter send  ·  esc cancel`}
    </Text>
  );
}

import {Text} from 'ink';
import {KEYMAP, modesOf, type Binding, type KeyContext} from '../keymap.js';
import {modeOf} from '../state/dashboard-state.js';
import {theme} from '../theme.js';

/** The bindings the footer shows now: those with a footer hint, in this mode, that can act. */
export function footerBindings(context: KeyContext): Binding[] {
  const mode = modeOf(context.state);
  return (KEYMAP as readonly Binding[]).filter((binding) => {
    if (!modesOf(binding).includes(mode)) return false;
    const isDialog = mode === 'confirm' || mode === 'prompt';
    if (!isDialog && binding.footer === undefined) return false;
    return binding.disabledReason?.(context) === undefined;
  });
}

export function Footer({context, width}: {context: KeyContext; width: number}) {
  const bindings = footerBindings(context);
  let used = 1;
  const shown: Binding[] = [];
  for (const binding of bindings) {
    const cost = binding.label.length + 1 + (binding.footer ?? binding.description).length + 2;
    if (used + cost > width) break;
    used += cost;
    shown.push(binding);
  }
  return (
    <Text wrap="truncate-end">
      {' '}
      {shown.map((binding) => (
        <Text key={binding.id}>
          <Text color={theme.key} bold>
            {binding.label}
          </Text>
          <Text color={theme.muted}> {binding.footer ?? binding.description.toLowerCase()}  </Text>
        </Text>
      ))}
    </Text>
  );
}

// The dashboard's root: the lifecycle (the one place that calls Ink's exit), the layout, and the
// wiring of snapshot, UI state and keymap. Panels only receive props.
import {Box, useApp} from 'ink';
import {useEffect, useMemo, useReducer} from 'react';
import type {EngineSnapshot, EngineView} from '../engine/contract.js';
import {DetailView, detailLines, detailTextWidth} from './components/detail-view.js';
import {EventsPanel} from './components/events-panel.js';
import {FailedJobsPanel} from './components/failed-jobs-panel.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {HelpOverlay, helpScrollLines} from './components/help-overlay.js';
import {PoolsPanel} from './components/pools-panel.js';
import {QueuesPanel} from './components/queues-panel.js';
import {ResourcesPanel} from './components/resources-panel.js';
import {PromptHint, StatusLine} from './components/status-line.js';
import {capabilitiesOf} from './engine-commands.js';
import {EngineProvider, useEngineSnapshot} from './engine-context.js';
import {formatCount} from './format/numbers.js';
import type {KeyContext} from './keymap.js';
import {computeLayout, innerHeight, MIN_COLUMNS, MIN_ROWS, type PanelBox} from './layout.js';
import {dashboardReducer, initialDashboardState, type DashboardState} from './state/dashboard-state.js';
import {effectiveCursors, eventsNewestFirst, failedGroupsOf, failedQueryOf, failedTotalOf, listRowIds, selectionOf} from './state/selectors.js';
import {useFailedPage} from './use-failed-page.js';
import {useKeymap} from './use-keymap.js';
import {useTerminalSize} from './use-terminal-size.js';

/** How the dashboard ended: `waitUntilExit()` resolves with it. */
export type DashboardExit = 'drained' | 'forced' | 'stopped';

export interface AppProps {
  readonly engine: EngineView;
  /** Least time between two redraws for engine changes (keys redraw at once). @default 1000 */
  readonly refreshIntervalMs?: number;
  /** How long a status-line message stays. @default 6000 */
  readonly flashMs?: number;
}

export function App({engine, ...options}: AppProps) {
  return (
    <EngineProvider engine={engine}>
      <Dashboard engine={engine} {...options} />
    </EngineProvider>
  );
}

function idleSummary(snapshot: EngineSnapshot, state: DashboardState): string {
  const active = snapshot.queues.reduce((sum, queue) => sum + queue.counts.active, 0);
  const waiting = snapshot.queues.reduce((sum, queue) => sum + queue.counts.waiting + queue.counts.prioritized, 0);
  const filter = state.failedView.kind === 'search' ? ` · filter "${state.failedView.text}"` : '';
  return `${formatCount(waiting)} waiting · ${formatCount(active)} active · ${formatCount(failedTotalOf(snapshot))} failed${filter} · ? for keys`;
}

function Dashboard({engine, refreshIntervalMs = 1000, flashMs = 6000}: AppProps) {
  const {exit} = useApp();
  const snapshot = useEngineSnapshot(engine, refreshIntervalMs);
  const [state, dispatch] = useReducer(dashboardReducer, initialDashboardState);
  const {columns, rows} = useTerminalSize();
  const can = useMemo(() => capabilitiesOf(engine), [engine]);

  const {groups, isPartial} = failedGroupsOf(snapshot);
  const events = useMemo(() => eventsNewestFirst(snapshot), [snapshot.events]);
  const failedTotal = failedTotalOf(snapshot);
  const query = failedQueryOf(state.failedView, state.cursors.jobs);
  const {page, error: pageError} = useFailedPage(engine, query, String(failedTotal), state.reloadToken);

  const layout = computeLayout({columns, rows, queueCount: snapshot.queues.length, hasProblems: snapshot.problems.length > 0, focus: state.focus});
  const details = state.detail ? detailLines(state.detail, snapshot.takenAtMs, detailTextWidth(layout.width)) : undefined;
  const bodyBox = {width: layout.width, height: layout.bodyHeight};
  const scrollLines = state.isHelpOpen ? helpScrollLines(layout.width, layout.bodyHeight) : (details?.length ?? 0);
  const rowIds = useMemo(() => listRowIds(snapshot, groups, events), [snapshot.queues, groups, events]);
  const cursors = effectiveCursors(state, rowIds);
  const selection = selectionOf(state, snapshot, {groups, events, page, scrollLines, rowIds});
  const context: KeyContext = {state, snapshot, selection, can};
  const failedBox = layout.rows.flat().find((box) => box.panel === 'failed');
  const pageRows = state.isHelpOpen || state.detail ? innerHeight(bodyBox) : Math.max(1, innerHeight(failedBox ?? bodyBox) - 1);

  useKeymap(context, {engine, dispatch, pageRows});

  // The one exit path: q asks the engine to drain and exits when it has; q again exits at once.
  useEffect(() => {
    if (state.quit === 'forced') {
      exit('forced' satisfies DashboardExit);
      return;
    }
    if (state.quit !== 'draining') return;
    engine.stop().then(
      () => exit('drained' satisfies DashboardExit),
      (error: unknown) => exit(error instanceof Error ? error : new Error(String(error))),
    );
  }, [state.quit, engine, exit]);

  // Stopped from elsewhere (a signal, the engine itself): nothing left to show.
  useEffect(() => {
    if (snapshot.phase === 'stopped' && state.quit === 'running') exit('stopped' satisfies DashboardExit);
  }, [snapshot.phase, state.quit, exit]);

  useEffect(() => {
    if (!state.flash) return;
    const id = state.flash.id;
    const timer = setTimeout(() => dispatch({type: 'clear-flash', id}), flashMs);
    return () => clearTimeout(timer);
  }, [state.flash, flashMs]);

  useEffect(() => {
    if (Object.keys(state.scaleIntents).length === 0) return;
    dispatch({
      type: 'targets-seen',
      targets: {files: snapshot.filePool.targetSize, ...(snapshot.browserPool ? {browsers: snapshot.browserPool.targetSize} : {})},
      nowMs: Date.now(),
    });
  }, [snapshot, state.scaleIntents]);

  const renderPanel = (box: PanelBox) => {
    const isFocused = state.focus === box.panel;
    switch (box.panel) {
      case 'queues':
        return <QueuesPanel key="queues" snapshot={snapshot} width={box.width} height={box.height} isFocused={isFocused} cursor={cursors.queues} />;
      case 'pools':
        return (
          <PoolsPanel
            key="pools"
            snapshot={snapshot}
            intents={state.scaleIntents}
            width={box.width}
            height={box.height}
            isFocused={isFocused}
            cursor={cursors.pools}
            isCompact={layout.isPoolsCompact}
          />
        );
      case 'resources':
        return <ResourcesPanel key="resources" snapshot={snapshot} width={box.width} height={box.height} isCompact={layout.isResourcesCompact} />;
      case 'events':
        return <EventsPanel key="events" events={events} nowMs={snapshot.takenAtMs} width={box.width} height={box.height} isFocused={isFocused} cursor={cursors.events} />;
      case 'failed':
        return (
          <FailedJobsPanel
            key="failed"
            view={state.failedView}
            groups={groups}
            isPartial={isPartial}
            failedTotal={failedTotal}
            page={page}
            pageError={pageError}
            canPage={can.pagesFailedJobs}
            groupsCursor={cursors.groups}
            jobsCursor={state.cursors.jobs}
            nowMs={snapshot.takenAtMs}
            width={box.width}
            height={box.height}
            isFocused={isFocused}
          />
        );
    }
  };

  const warning = layout.isTooSmall ? `The terminal is ${columns}x${rows}: the dashboard needs at least ${MIN_COLUMNS}x${MIN_ROWS}` : undefined;
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height} overflowY="hidden">
      <Header snapshot={snapshot} width={layout.width} />
      <Box flexDirection="column" height={layout.bodyHeight} overflowY="hidden">
        {state.isHelpOpen ? (
          <HelpOverlay width={layout.width} height={layout.bodyHeight} scroll={state.helpScroll} />
        ) : state.detail && details ? (
          <DetailView detail={state.detail} lines={details} scroll={state.detailScroll} width={layout.width} height={layout.bodyHeight} />
        ) : (
          layout.rows.map((row, index) => (
            <Box key={index} flexDirection="row" flexShrink={0}>
              {row.map(renderPanel)}
            </Box>
          ))
        )}
      </Box>
      <StatusLine state={state} idleText={idleSummary(snapshot, state)} warning={warning} phase={snapshot.phase} />
      {state.prompt ? <PromptHint state={state} /> : <Footer context={context} width={layout.width} />}
    </Box>
  );
}

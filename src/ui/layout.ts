// Where each panel goes for a terminal size, as a pure function (table-tested). Two arrangements:
// wide (>= 120 columns and 30 rows): queues across the top, pools | resources, failed jobs |
// events; narrow (80x24 up): everything stacked, pools and resources compact when rows are short,
// and failed jobs sharing the bottom with events when there is room (else the bottom shows
// whichever of the two is focused).
import type {PanelId} from './state/dashboard-state.js';

export type PanelName = PanelId | 'resources';

export interface PanelBox {
  readonly panel: PanelName;
  readonly width: number;
  readonly height: number;
}

export interface DashboardLayout {
  readonly kind: 'wide' | 'narrow';
  readonly width: number;
  /** Lines drawn: one fewer than the terminal's rows, so Ink updates in place instead of clearing. */
  readonly height: number;
  readonly headerHeight: number;
  /** Lines between the header and the status line + footer. */
  readonly bodyHeight: number;
  /** Panels, row by row. */
  readonly rows: ReadonlyArray<readonly PanelBox[]>;
  /** Pools drawn on one line each (no decision line). */
  readonly isPoolsCompact: boolean;
  /** Resources drawn two to a line. */
  readonly isResourcesCompact: boolean;
  readonly isTooSmall: boolean;
}

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
const WIDE_COLUMNS = 120;
const WIDE_ROWS = 30;
/** Top border (with the title) and bottom border. */
const CHROME = 2;
const BOTTOM_LINES = 2;

export interface LayoutInput {
  readonly columns: number;
  readonly rows: number;
  readonly queueCount: number;
  readonly hasProblems: boolean;
  readonly focus: PanelId;
}

export function computeLayout({columns, rows, queueCount, hasProblems, focus}: LayoutInput): DashboardLayout {
  const width = Math.max(40, columns);
  const height = Math.max(10, rows - 1);
  const headerHeight = hasProblems ? 2 : 1;
  const bodyHeight = Math.max(4, height - headerHeight - BOTTOM_LINES);
  const queuesHeight = Math.max(1, queueCount) + 1 + CHROME;
  const isTooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;

  if (columns >= WIDE_COLUMNS && rows >= WIDE_ROWS) {
    const poolsWidth = Math.round(width * 0.62);
    const failedWidth = Math.round(width * 0.6);
    const middleHeight = 4 + CHROME;
    const failedHeight = Math.max(CHROME + 2, bodyHeight - queuesHeight - middleHeight);
    return {
      kind: 'wide',
      width,
      height,
      headerHeight,
      bodyHeight,
      rows: [
        [{panel: 'queues', width, height: queuesHeight}],
        [
          {panel: 'pools', width: poolsWidth, height: middleHeight},
          {panel: 'resources', width: width - poolsWidth, height: middleHeight},
        ],
        [
          {panel: 'failed', width: failedWidth, height: failedHeight},
          {panel: 'events', width: width - failedWidth, height: failedHeight},
        ],
      ],
      isPoolsCompact: false,
      isResourcesCompact: false,
      isTooSmall,
    };
  }

  // Room permitting, pools get their decision lines and resources a line each.
  let poolsHeight = 2 + CHROME;
  let resourcesHeight = 2 + CHROME;
  let rest = bodyHeight - queuesHeight - poolsHeight - resourcesHeight;
  if (rest >= 18) {
    poolsHeight += 2;
    rest -= 2;
  }
  if (rest >= 20) {
    resourcesHeight += 2;
    rest -= 2;
  }
  const bottom: PanelBox[] = [];
  if (rest >= 14) {
    const failedHeight = Math.ceil(rest * 0.6);
    bottom.push({panel: 'failed', width, height: failedHeight}, {panel: 'events', width, height: rest - failedHeight});
  } else {
    bottom.push({panel: focus === 'events' ? 'events' : 'failed', width, height: Math.max(CHROME + 1, rest)});
  }
  return {
    kind: 'narrow',
    width,
    height,
    headerHeight,
    bodyHeight,
    rows: [
      [{panel: 'queues', width, height: queuesHeight}],
      [{panel: 'pools', width, height: poolsHeight}],
      [{panel: 'resources', width, height: resourcesHeight}],
      ...bottom.map((box) => [box]),
    ],
    isPoolsCompact: poolsHeight === 2 + CHROME,
    isResourcesCompact: resourcesHeight === 2 + CHROME,
    isTooSmall,
  };
}

/** Rows of content inside a panel box. */
export function innerHeight(box: {height: number}): number {
  return Math.max(0, box.height - CHROME);
}

/** Columns of content inside a panel box (borders and one space of padding each side). */
export function innerWidth(box: {width: number}): number {
  return Math.max(0, box.width - 4);
}

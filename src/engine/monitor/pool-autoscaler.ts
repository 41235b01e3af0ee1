import {
  applyOperatorOverride,
  applyScaleDecision,
  decideScaling,
  growthBlocker,
  trackIdleSince,
  type AutoscalerConfig,
  type OperatorOverride,
  type PoolLimits,
  type PoolName,
  type PoolState,
  type ScaleDecision,
} from './autoscaler.js';
import type {ResourceMonitor} from './resource-monitor.js';

/** What the autoscaler needs to know of a pool and do to it. */
export interface ScalablePool {
  /** Units of work in progress (pages for browsers, tasks for files). */
  busy(): number;
  /** Jobs waiting for this pool. */
  backlog(): number;
  resize(size: number): void;
}

export interface PoolAutoscalerOptions {
  readonly monitor: ResourceMonitor;
  readonly pools: {readonly files: ScalablePool; readonly browsers?: ScalablePool};
  readonly initial: {readonly files: {size: number; limits: PoolLimits}; readonly browsers?: {size: number; limits: PoolLimits}};
  /** Autoscaling on at start; off pins both pools at their initial size. */
  readonly isEnabled: boolean;
  readonly config?: Partial<AutoscalerConfig>;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** Every size change, automatic or by the operator, with its reason. */
  readonly onChange: (change: {pool: PoolName; from: number; to: number; reason: string; byOperator: boolean}) => void;
}

/** A pool's autoscaling state, as the dashboard and heartbeats show it. */
export interface PoolScalingState extends PoolState {
  /** Why the pool is not growing now, when it would like to. */
  readonly blocker: string | undefined;
  readonly lastReason: string | undefined;
}

/**
 * Runs the pure policy of autoscaler.ts on an interval against the real pools: it owns the
 * per-pool state (target size, limits, pin, cooldown and idle clocks) and applies decisions.
 */
export class PoolAutoscaler {
  readonly #options: PoolAutoscalerOptions;
  #states: Partial<Record<PoolName, PoolState>> = {};
  #lastReasons: Partial<Record<PoolName, string>> = {};
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PoolAutoscalerOptions) {
    this.#options = options;
    for (const pool of ['files', 'browsers'] as const) {
      const initial = options.initial[pool];
      if (!initial) continue;
      this.#states[pool] = {
        size: initial.size,
        busy: 0,
        backlog: 0,
        limits: initial.limits,
        isPinned: !options.isEnabled,
        lastChangeAtMs: undefined,
        idleSinceMs: undefined,
      };
    }
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(Date.now()), this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #refresh(nowMs: number): void {
    for (const pool of ['files', 'browsers'] as const) {
      const state = this.#states[pool];
      const live = this.#options.pools[pool];
      if (!state || !live) continue;
      const busy = live.busy();
      const backlog = live.backlog();
      this.#states[pool] = {...state, busy, backlog, idleSinceMs: trackIdleSince(state.idleSinceMs, busy, backlog, nowMs)};
    }
  }

  /** One round of the policy. Called by the timer; tests call it directly. */
  tick(nowMs: number): ScaleDecision[] {
    this.#refresh(nowMs);
    const decisions = decideScaling({
      nowMs,
      samples: this.#options.monitor.window.since(20_000, nowMs),
      files: this.#states.files!,
      ...(this.#states.browsers ? {browsers: this.#states.browsers} : {}),
      ...(this.#options.config ? {config: this.#options.config} : {}),
    });
    for (const decision of decisions) this.#apply(decision, false, nowMs);
    return decisions;
  }

  /** An operator's command (`scale files 4`, `scale browsers auto`); returns what was done. */
  override(pool: PoolName, override: OperatorOverride, nowMs = Date.now()): string {
    const state = this.#states[pool];
    if (!state) return `this node has no ${pool} pool`;
    const result = applyOperatorOverride(pool, state, override, nowMs);
    this.#states[pool] = result.state;
    if (result.decision) this.#apply(result.decision, true, nowMs);
    else {
      this.#lastReasons[pool] = result.reason;
      this.#options.onChange({pool, from: state.size, to: state.size, reason: result.reason, byOperator: true});
    }
    return result.reason;
  }

  #apply(decision: ScaleDecision, byOperator: boolean, nowMs: number): void {
    const state = this.#states[decision.pool]!;
    this.#states[decision.pool] = applyScaleDecision(state, decision, nowMs);
    this.#options.pools[decision.pool]?.resize(decision.to);
    this.#lastReasons[decision.pool] = decision.reason;
    this.#options.onChange({...decision, byOperator});
  }

  state(pool: PoolName): PoolScalingState | undefined {
    const state = this.#states[pool];
    if (!state) return undefined;
    const samples = this.#options.monitor.window.since(20_000);
    const blocker = growthBlocker(
      {
        nowMs: Date.now(),
        samples,
        files: this.#states.files!,
        ...(this.#states.browsers ? {browsers: this.#states.browsers} : {}),
        ...(this.#options.config ? {config: this.#options.config} : {}),
      },
      pool,
    );
    return {...state, blocker, lastReason: this.#lastReasons[pool]};
  }
}

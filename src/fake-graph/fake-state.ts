// The fake's mutable state and the in-process control API over it. The HTTP control endpoints call
// the same API, so a test and a curl-wielding sandbox user see and change exactly the same thing.

import { type ActiveFault, type FaultRule, FaultStore } from './faults.js';
import {
  type FakeGraphStats,
  type OpenBridgeConfiguration,
  type RecordedEvent,
  Recorder,
  type RequestLogEntry,
  type WaitOptions,
} from './recorder.js';

export interface FakeGraphOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Versions that answer; others get code 2635. Default v18.0 .. v26.0. */
  liveVersions?: string[];
  /** Accepted events kept for inspection (default 200,000; counters keep counting past it). */
  recordLimit?: number;
  /** How far in the future event_time may be (default 600 s). */
  futureSkewSeconds?: number;
  /** Reject plain-text values in hashed user_data fields (default true). */
  strictHashing?: boolean;
  /** Reject website events without event_source_url / user_data.client_user_agent (default false). */
  strictWebsiteFields?: boolean;
}

export interface FakeGraphControl {
  /** Accepted events, oldest first, optionally for one pixel. */
  events(pixelId?: string): RecordedEvent[];
  /** The last 10,000 Graph requests, oldest first. */
  requests(): RequestLogEntry[];
  stats(): FakeGraphStats;
  /** Clears records, counters, faults, revoked tokens, pixel names and OpenBridge configurations. */
  reset(): void;
  /** Resolves with the pixel's (or all) events once `count` were accepted since the last reset. */
  waitForEvents(count: number, opts?: WaitOptions): Promise<RecordedEvent[]>;
  addFault(rule: FaultRule): { id: string };
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): ActiveFault[];
  revokeToken(token: string): void;
  restoreToken(token: string): void;
  setPixelName(pixelId: string, name: string): void;
  openbridgeConfigurations(): OpenBridgeConfiguration[];
}

export interface FakeState {
  readonly recorder: Recorder;
  readonly faults: FaultStore;
  readonly revoked: Set<string>;
  readonly pixelNames: Map<string, string>;
  readonly liveVersions: ReadonlySet<string>;
  readonly futureSkewSeconds: number;
  readonly strictHashing: boolean;
  readonly strictWebsiteFields: boolean;
}

export const DEFAULT_LIVE_VERSIONS: readonly string[] = Array.from({ length: 9 }, (_, i) => `v${18 + i}.0`);

export function createState(opts: FakeGraphOptions = {}): FakeState {
  return {
    recorder: new Recorder(opts.recordLimit ?? 200_000),
    faults: new FaultStore(),
    revoked: new Set(),
    pixelNames: new Map(),
    liveVersions: new Set(opts.liveVersions ?? DEFAULT_LIVE_VERSIONS),
    futureSkewSeconds: opts.futureSkewSeconds ?? 600,
    strictHashing: opts.strictHashing ?? true,
    strictWebsiteFields: opts.strictWebsiteFields ?? false,
  };
}

export function pixelName(state: FakeState, pixelId: string): string {
  return state.pixelNames.get(pixelId) ?? `Fake Pixel ${pixelId}`;
}

export function controlApi(state: FakeState): FakeGraphControl {
  const { recorder, faults } = state;
  return {
    events: (pixelId) => recorder.events(pixelId),
    requests: () => recorder.requests(),
    stats: () => recorder.stats(),
    reset: () => {
      recorder.reset();
      faults.clear();
      state.revoked.clear();
      state.pixelNames.clear();
    },
    waitForEvents: (count, opts) => recorder.waitForEvents(count, opts),
    addFault: (rule) => faults.add(rule),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    revokeToken: (token) => {
      state.revoked.add(token);
    },
    restoreToken: (token) => {
      state.revoked.delete(token);
    },
    setPixelName: (pixelId, name) => {
      state.pixelNames.set(pixelId, name);
    },
    openbridgeConfigurations: () => recorder.openBridgeConfigurations(),
  };
}

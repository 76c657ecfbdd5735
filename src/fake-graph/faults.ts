// Fault rules: the failures a test or a sandbox user injects to see how the gateway copes with Meta
// misbehaving (errors, throttling, latency, hangs, dropped sockets, unknown pixels). Rules are
// matched per request, in insertion order, and expire after `times` uses or `duration_ms`.

import { randomUUID } from 'node:crypto';

export const FAULT_KINDS = [
  'graph_error',
  'http_status',
  'latency',
  'hang',
  'drop_connection',
  'unknown_pixel',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  /** Only requests for this pixel (omit = every pixel). */
  pixel_id?: string;
  kind: FaultKind;
  /** graph_error: Graph error code (default 2) and subcode. */
  code?: number;
  subcode?: number;
  /** HTTP status; graph_error default 500 for codes 1 and 2, 400 otherwise; http_status default 500. */
  status?: number;
  /** graph_error: is_transient (default true for 1, 2 and throttling codes). */
  transient?: boolean;
  /** graph_error: message override. */
  message?: string;
  /** Throttling codes: minutes put in X-Business-Use-Case-Usage (default 1). */
  estimated_time_to_regain_access?: number;
  /** latency: delay before answering normally. */
  latency_ms?: number;
  /** Apply to this many matching requests, then expire. */
  times?: number;
  /** Expire this long after the rule was added. */
  duration_ms?: number;
  /** Only requests containing an event with this event_name. */
  match_event_name?: string;
}

export interface ActiveFault extends FaultRule {
  id: string;
  created_at: number;
  /** How many requests this rule has been applied to. */
  applied: number;
}

/** What a request offers for matching. */
export interface FaultContext {
  pixelId: string | null;
  /** Whether the request body has an event with this event_name (events route only). */
  hasEventName?: (name: string) => boolean;
}

export interface FaultMatch {
  /** Sum of every matching latency rule. */
  latencyMs: number;
  /** The first matching rule of any other kind. */
  fault: ActiveFault | null;
}

/** Checks a rule coming from JSON; returns an error message or null. */
export function checkFaultRule(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'fault must be a JSON object';
  const r = input as Record<string, unknown>;
  if (!FAULT_KINDS.includes(r.kind as FaultKind)) return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  if (r.pixel_id !== undefined && typeof r.pixel_id !== 'string') return 'pixel_id must be a string';
  if (r.match_event_name !== undefined && typeof r.match_event_name !== 'string') {
    return 'match_event_name must be a string';
  }
  if (r.message !== undefined && typeof r.message !== 'string') return 'message must be a string';
  if (r.transient !== undefined && typeof r.transient !== 'boolean') return 'transient must be a boolean';
  for (const key of [
    'code',
    'subcode',
    'status',
    'latency_ms',
    'times',
    'duration_ms',
    'estimated_time_to_regain_access',
  ]) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      return `${key} must be a non-negative number`;
    }
  }
  if (r.status !== undefined && ((r.status as number) < 200 || (r.status as number) > 599)) {
    return 'status must be an HTTP status code from 200 to 599';
  }
  return null;
}

export class FaultStore {
  private rules: ActiveFault[] = [];

  add(rule: FaultRule, now = Date.now()): { id: string } {
    const problem = checkFaultRule(rule);
    if (problem) throw new TypeError(`Invalid fault rule: ${problem}`);
    const active: ActiveFault = { ...rule, id: randomUUID(), created_at: now, applied: 0 };
    this.rules.push(active);
    return { id: active.id };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(now = Date.now()): ActiveFault[] {
    this.expire(now);
    return this.rules.map((r) => ({ ...r }));
  }

  /** Finds the faults for a request and counts them as used (so `times` runs down). */
  match(ctx: FaultContext, now = Date.now()): FaultMatch {
    const result: FaultMatch = { latencyMs: 0, fault: null };
    if (this.rules.length === 0) return result;
    this.expire(now);
    for (const rule of this.rules) {
      if (!matches(rule, ctx)) continue;
      if (rule.kind === 'latency') {
        result.latencyMs += rule.latency_ms ?? 0;
      } else if (result.fault === null) {
        result.fault = rule;
      } else {
        continue;
      }
      rule.applied++;
    }
    this.expire(now);
    return result;
  }

  private expire(now: number): void {
    this.rules = this.rules.filter(
      (r) =>
        (r.times === undefined || r.applied < r.times) &&
        (r.duration_ms === undefined || now - r.created_at < r.duration_ms),
    );
  }
}

function matches(rule: ActiveFault, ctx: FaultContext): boolean {
  if (rule.pixel_id !== undefined && rule.pixel_id !== ctx.pixelId) return false;
  if (rule.match_event_name !== undefined) {
    if (!ctx.hasEventName?.(rule.match_event_name)) return false;
  }
  return true;
}

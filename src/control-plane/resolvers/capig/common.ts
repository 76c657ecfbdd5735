import type { GraphQLFieldResolver } from 'graphql';
import type { TenantScope } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput, notFound } from '../../errors.js';

// Small pieces every /capig/graphql/ operation uses.

/** What tenantQueries / tenantMutations hand to their fields (the namespace checked view access). */
export interface TenantParent {
  tenantId: string;
}

/** Types a resolver's parent and arguments; graphql-js hands them over untyped. */
export function field<P, A, R>(
  fn: (parent: P, args: A, ctx: ControlContext) => R,
): GraphQLFieldResolver<unknown, ControlContext> {
  return fn as unknown as GraphQLFieldResolver<unknown, ControlContext>;
}

/** The account as the caller may read it: every repo read filters on both in SQL. */
export function scopeOf(ctx: ControlContext, tenantId: string): TenantScope {
  return { tenantId, visibleTenantIds: ctx.access.visibleTenantIds };
}

export const DEFAULT_WINDOW_MIN = 60;
/** Per-minute counts are kept 35 days (queue/maintenance.ts). */
export const MAX_WINDOW_MIN = 35 * 24 * 60;

export function windowMinutes(value: number | null | undefined): number {
  if (value === null || value === undefined) return DEFAULT_WINDOW_MIN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_WINDOW_MIN) {
    throw badInput(`timeWindowMin must be a whole number of minutes from 1 to ${MAX_WINDOW_MIN} (got ${value})`);
  }
  return value;
}

export function pixelNotFound(tenantId: string, pixelIds: readonly string[]): Error {
  const list = pixelIds.join(', ');
  return notFound(
    pixelIds.length === 1
      ? `pixel ${list} not found in account ${tenantId}`
      : `pixels ${list} not found in account ${tenantId}`,
  );
}

/** A list of pixel ids as a request names them: null stays null (all pixels); [] is a mistake. */
export function pixelIdList(value: readonly string[] | null | undefined, what: string): string[] | null {
  if (value === null || value === undefined) return null;
  if (value.length === 0) throw badInput(`${what}: pixelIds is empty; leave it out (or null) for every pixel`);
  return [...new Set(value)];
}

/** Meta's 0 = off, 1 = on. */
export function switchStatus(status: number): boolean {
  if (status !== 0 && status !== 1) throw badInput(`input.status must be 0 (off) or 1 (on), got ${status}`);
  return status === 1;
}

import type { FilterState } from '../../../domain/pixel.js';

// How stored filter rows read back. A pixel's own row wins over the account-wide row (pixel_id ''),
// and no row means PUBLISH (as the data plane applies them, see pixel-settings-repo.ts). An
// account-wide read says MIXED when the account's pixels end up in different states.

export interface FilterRow {
  /** '' for the account-wide row. */
  pixelId: string;
  name: string;
  state: FilterState;
}

export type ViewState = FilterState | 'MIXED';

/** Per filtered name: the state every pixel of the account ends up in, or MIXED. */
export function accountView(rows: readonly FilterRow[], accountPixelIds: readonly string[]): Map<string, ViewState> {
  const out = new Map<string, ViewState>();
  for (const name of new Set(rows.map((r) => r.name))) out.set(name, accountStateOf(rows, accountPixelIds, name));
  return out;
}

export function accountStateOf(
  rows: readonly FilterRow[],
  accountPixelIds: readonly string[],
  name: string,
): ViewState {
  const global = rows.find((r) => r.pixelId === '' && r.name === name)?.state ?? 'PUBLISH';
  if (accountPixelIds.length === 0) return global;
  const states = new Set(
    accountPixelIds.map((p) => rows.find((r) => r.pixelId === p && r.name === name)?.state ?? global),
  );
  return states.size === 1 ? ([...states][0] as FilterState) : 'MIXED';
}

/** Per name filtered for this pixel (by its own row or the account-wide one): its state. */
export function pixelView(rows: readonly FilterRow[], pixelId: string): Map<string, FilterState> {
  const out = new Map<string, FilterState>();
  for (const r of rows) if (r.pixelId === '') out.set(r.name, r.state);
  for (const r of rows) if (r.pixelId === pixelId) out.set(r.name, r.state);
  return out;
}

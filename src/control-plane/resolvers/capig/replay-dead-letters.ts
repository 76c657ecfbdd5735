import { createDeadLettersRepo } from '../../../database/repos/dead-letters-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import type { TenantParent } from './common.js';
import { scopeOf } from './common.js';

// tenantMutations { replayDeadLetters(ids) } (extension): after fixing what Meta complained about,
// queue the chosen dead letters again. Each letter is replayed once; ids of other accounts, unknown
// ids and letters already replayed are skipped, and `replayed` says how many were queued.

const MAX_IDS = 1000;

export async function replayDeadLetters(parent: TenantParent, args: { ids: string[] }, ctx: ControlContext) {
  ctx.access.require(parent.tenantId, 'manage');
  if (args.ids.length === 0) throw badInput('ids is empty: name the dead letters to send again');
  if (args.ids.length > MAX_IDS) throw badInput(`at most ${MAX_IDS} ids at a time (got ${args.ids.length})`);
  const bad = args.ids.find((id) => !/^\d{1,18}$/.test(id));
  if (bad !== undefined) throw badInput(`"${bad}" is not a dead letter id`);
  const replayed = await createDeadLettersRepo(ctx.deps.db).replay(scopeOf(ctx, parent.tenantId), [
    ...new Set(args.ids),
  ]);
  ctx.deps.log.info({ tenantId: parent.tenantId, replayed }, 'dead letters queued again');
  return { replayed };
}

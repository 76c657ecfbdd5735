import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';

// Checks a pixel's access token with Meta (GET /{version}/{pixelId}?fields=id,name) before it is
// stored. Meta rejecting it refuses the change with Meta's message; a Graph API that cannot be
// reached accepts it unverified. A version Meta no longer serves (code 2635) falls back to the
// gateway's default version, so Meta's own samples (v14.0, v17.0) keep working.

const DEPRECATED_VERSION = 2635;

export interface TokenCheck {
  verified: boolean;
  /** The pixel's name in Meta's answer, when it was reachable. */
  name: string | null;
  /** The version to store for the pixel: null means the gateway default. */
  apiVersion: string | null;
}

export async function checkToken(
  ctx: ControlContext,
  pixelId: string,
  token: string,
  requested: string | null,
): Promise<TokenCheck> {
  const { graph, config, log } = ctx.deps;
  const fallback = config.graph.apiVersion;
  let apiVersion = requested;
  let answer = await graph.pixelName(pixelId, token, apiVersion ?? fallback);
  if (!answer.ok && answer.kind === 'rejected' && answer.code === DEPRECATED_VERSION && apiVersion !== null) {
    log.warn(
      { pixelId, requested: apiVersion, used: fallback },
      'Graph API version no longer served; the pixel uses the gateway default',
    );
    apiVersion = null;
    answer = await graph.pixelName(pixelId, token, fallback);
  }
  if (answer.ok) return { verified: true, name: answer.value.name, apiVersion };
  if (answer.kind === 'unreachable') {
    log.warn({ pixelId, reason: answer.message }, 'Graph API unreachable: access token stored unverified');
    return { verified: false, name: null, apiVersion };
  }
  const code =
    answer.code === null ? '' : ` (Graph API error ${answer.code}${answer.subcode ? `.${answer.subcode}` : ''})`;
  throw badInput(`Meta rejected the access token for pixel ${pixelId}: ${redact(answer.message, token)}${code}`);
}

/** Meta's messages do not quote the token; make sure ours never does either. */
export function redact(message: string, token: string): string {
  return token.length >= 4 ? message.split(token).join('[redacted]') : message;
}

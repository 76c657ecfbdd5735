import type { GatewayConfig } from '../config.js';
import type { Db } from '../database/db.js';
import type { AccountsRepo } from '../database/repos/accounts-repo.js';
import type { PixelDirectory } from '../ingest/pixel-directory.js';
import type { HttpDestinationClient } from '../publish/http-destination/http-destination-client.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer } from '../platform/mailer.js';
import type { SecretBox } from '../platform/secret-box.js';
import type { Principal, TenantAccess } from './access.js';
import type { ApiTokens } from './auth/api-tokens.js';
import type { CnameLookup } from './dns.js';
import type { GraphApi } from './graph-api.js';
import type { Loaders } from './graphql/loaders.js';

/** What the control plane is built from (wired in main.ts). */
export interface ControlDeps {
  db: Db;
  box: SecretBox;
  accounts: AccountsRepo;
  /** Settings changes take effect on this instance at once (other instances within a second). */
  directory: PixelDirectory;
  graph: GraphApi;
  config: Pick<GatewayConfig, 'graph' | 'http'> & { registerOpenBridge: boolean };
  log: Logger;
  /** forget() ends a deleted API account's tokens on this instance at once. */
  apiTokens: Pick<ApiTokens, 'forget'>;
  /** DNS CNAME lookup for data routing (replaceable in tests). */
  lookupCname: CnameLookup;
  /** Emails invitation and reset links when SMTP is configured. */
  mailer: Mailer;
  /** The key an account's alert webhooks are signed with. */
  webhookSigningKey(tenantId: string): string;
  /** Alert webhooks may point at private addresses (CAPIG_ALERT_WEBHOOK_PRIVATE). */
  allowPrivateWebhooks: boolean;
  /** Sends a custom HTTP destination's test event (its own client: only the delivery side has the publisher's). */
  httpDestinations: Pick<HttpDestinationClient, 'test'>;
}

/** Per GraphQL request: who is calling, what they can reach, and the deps. */
export interface ControlContext {
  deps: ControlDeps;
  principal: Principal;
  access: TenantAccess;
  /** Base URL for links we hand out (CAPIG_PUBLIC_URL, else the request's own origin). */
  publicUrl: string;
  requestId: string;
  /** Batches nested loads within this request. */
  loaders: Loaders;
  /** Epoch ms after which no further field of this operation runs. */
  deadline: number;
}

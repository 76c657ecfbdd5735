-- Accounts (Meta calls them tenants), their pixels and the rules that decide what is published.
CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  managed     boolean NOT NULL DEFAULT true,   -- Meta: canPartnerManage
  status      smallint NOT NULL DEFAULT 0,     -- 0 active, 1 setup in progress, 2 deactivated
  event_enrichment boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A pixel (Meta: signal config / data source) belongs to exactly one account: browser events
-- carry only the pixel id, so the id alone must find the account.
CREATE TABLE pixels (
  pixel_id            text PRIMARY KEY,
  tenant_id           text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                text NOT NULL DEFAULT '',
  business_id         text,
  external_id         text,
  access_token_enc    text,          -- AES-256-GCM, see platform/secret-box.ts
  token_verified      boolean NOT NULL DEFAULT false,
  api_version         text,          -- null: the gateway's CAPIG_GRAPH_API_VERSION
  receiving_enabled   boolean NOT NULL DEFAULT true,
  publishing_enabled  boolean NOT NULL DEFAULT true,
  access_key_enc      text NOT NULL, -- server-events key, shown to account users, so reversible
  bad_token           boolean NOT NULL DEFAULT false,
  last_error_code     text,          -- '<code>.<subcode>' as Meta answered
  last_error_message  text,
  last_error_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pixels_tenant ON pixels (tenant_id);

-- pixel_id '' means account-wide; a pixel's own row wins over the account-wide one.
CREATE TABLE event_filters (
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  pixel_id    text NOT NULL DEFAULT '',
  event_name  text NOT NULL,
  state       text NOT NULL CHECK (state IN ('PUBLISH', 'DROP')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, pixel_id, event_name)
);

CREATE TABLE domain_filters (
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  pixel_id    text NOT NULL DEFAULT '',
  domain      text NOT NULL,
  state       text NOT NULL CHECK (state IN ('PUBLISH', 'DROP')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, pixel_id, domain)
);

-- The first-party domain browsers use to reach the gateway for an account.
CREATE TABLE ingress_domains (
  tenant_id      text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  ingress        text NOT NULL UNIQUE,
  target_domain  text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Deduplication keys, kept 48 hours (Meta's own window).
CREATE TABLE dedup_keys (
  pixel_id    text NOT NULL,
  event_name  text NOT NULL,
  event_id    text NOT NULL,
  seen_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pixel_id, event_name, event_id)
);
CREATE INDEX dedup_keys_seen_at ON dedup_keys (seen_at);

-- The durable queue. A claim moves available_at forward (a lease): a crashed claimer's events
-- become claimable again when the lease runs out, so nothing acknowledged is lost.
CREATE TABLE event_queue (
  id               bigserial PRIMARY KEY,
  pixel_id         text NOT NULL,
  tenant_id        text NOT NULL,
  event            jsonb NOT NULL,
  event_name       text NOT NULL,
  event_time       bigint NOT NULL,
  domain           text NOT NULL DEFAULT '',
  test_event_code  text NOT NULL DEFAULT '',
  enqueued_at      timestamptz NOT NULL DEFAULT now(),
  available_at     timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text
);
CREATE INDEX event_queue_ready ON event_queue (pixel_id, available_at, id);
-- Rows are short-lived: vacuum early so dead tuples do not pile up at the head of the queue.
ALTER TABLE event_queue SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000);

CREATE TABLE dead_letters (
  id              bigserial PRIMARY KEY,
  tenant_id       text NOT NULL,
  pixel_id        text NOT NULL,
  event           jsonb NOT NULL,
  event_name      text NOT NULL,
  test_event_code text NOT NULL DEFAULT '',
  reason          text NOT NULL,     -- 'rejected' by Meta, or 'expired' before it could be delivered
  error_code      integer,
  error_subcode   integer,
  error_message   text,
  fbtrace_id      text,
  attempts        integer NOT NULL DEFAULT 0,
  enqueued_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  replayed_at     timestamptz
);
CREATE INDEX dead_letters_pixel ON dead_letters (tenant_id, pixel_id, created_at DESC);

-- Counts per minute. outcome: received, published, deduplicated, dead_lettered, dropped.<reason>.
-- Counters are sharded: writers committing at the same time add to different rows, so a hot
-- counter never makes one transaction wait for another's commit. Readers sum over shards.
CREATE TABLE event_metrics (
  tenant_id   text NOT NULL,
  pixel_id    text NOT NULL,
  minute      timestamptz NOT NULL,
  event_name  text NOT NULL,
  domain      text NOT NULL,
  outcome     text NOT NULL,
  shard       smallint NOT NULL,
  count       bigint NOT NULL,
  PRIMARY KEY (tenant_id, pixel_id, minute, event_name, domain, outcome, shard)
);
CREATE INDEX event_metrics_minute ON event_metrics (minute);

-- Running totals and last activity per pixel, sharded like event_metrics.
CREATE TABLE pixel_totals (
  pixel_id           text NOT NULL,
  shard              smallint NOT NULL,
  received           bigint NOT NULL DEFAULT 0,
  published          bigint NOT NULL DEFAULT 0,
  dropped            bigint NOT NULL DEFAULT 0,
  dead_lettered      bigint NOT NULL DEFAULT 0,
  last_received_at   timestamptz,
  last_published_at  timestamptz,
  PRIMARY KEY (pixel_id, shard)
);

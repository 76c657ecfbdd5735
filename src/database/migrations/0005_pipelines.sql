-- Signals Gateway pipelines: sources -> pipeline filter -> destinations, each with its own filter.
-- Every pixel connection becomes a Meta CAPI pipeline (its pixel as the source, Meta's Conversions
-- API as the destination), so what was connected before keeps working unchanged.
--
-- The queue, dead letters, live samples and counts keep their pixel_id column, which is the LANE an
-- event is delivered in: the pixel id for a pixel connection's destination (as before), else the
-- destination id (sg_v1_dd_...). A source's received/dropped counts are under the source id, a
-- destination's published/dead-lettered counts under its lane.

CREATE TABLE pipelines (
  id                   text PRIMARY KEY,               -- sg_v1_pl_<uuid>
  tenant_id            text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                 text NOT NULL,
  type                 text NOT NULL CHECK (type IN ('META_CAPI_PIPELINE', 'GATEWAY_PIPELINE')),
  active               boolean NOT NULL DEFAULT true,
  -- The pixel connection a META_CAPI_PIPELINE stands for; it goes when the connection goes.
  pixel_id             text UNIQUE REFERENCES pixels (pixel_id) ON DELETE CASCADE,
  -- null: never set (shown as false). The blocked list applies unless the status is false.
  filter_status        boolean,
  blocked_event_types  text[] NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipelines_tenant ON pipelines (tenant_id);

CREATE TABLE data_sources (
  id             text PRIMARY KEY,                     -- the pixel id (META_PIXEL), else 19 digits
  tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name           text NOT NULL,
  type           text NOT NULL CHECK (type IN ('META_PIXEL', 'ADVERTISER_HOSTED_PIXEL', 'FILE_UPLOAD',
                                              'ADVERTISER_HOSTED_SDK', 'UNKNOWN')),
  active         boolean NOT NULL DEFAULT true,
  pixel_id       text UNIQUE REFERENCES pixels (pixel_id) ON DELETE CASCADE,   -- META_PIXEL only
  -- Server events to POST /capi/{id}/events present this key (META_PIXEL: the pixel's own key).
  access_key_enc text,
  -- GatewayPixelConfig of a Signals Gateway pixel (enabledStatus, enableAam, aamFields, ...).
  pixel_config   jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_sources_tenant ON data_sources (tenant_id);

CREATE TABLE pipeline_sources (
  pipeline_id  text NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  source_id    text NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  PRIMARY KEY (pipeline_id, source_id)
);
CREATE INDEX pipeline_sources_source ON pipeline_sources (source_id);

CREATE TABLE data_destinations (
  id                  text PRIMARY KEY,                -- sg_v1_dd_<uuid>
  tenant_id           text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                text NOT NULL,
  type                text NOT NULL CHECK (type IN ('META_CONVERSIONS_API', 'CUSTOM_HTTP_API', 'AUDIENCE_STORAGE',
                                                    'GOOGLE_BIGQUERY_API', 'UNKNOWN')),
  active              boolean NOT NULL DEFAULT true,
  -- A pixel connection's destination: delivered in the pixel's lane with the pixel's token.
  pixel_id            text UNIQUE REFERENCES pixels (pixel_id) ON DELETE CASCADE,
  -- META_CONVERSIONS_API of a gateway pipeline: its own dataset and token.
  dataset_id          text,
  business_id         text,
  api_version         text,
  access_token_enc    text,
  -- CUSTOM_HTTP_API: endpoint, method, auth type and public auth fields, template, timeout (JSON,
  -- readable by the dashboard) and the auth secrets (JSON, AES-256-GCM, never returned).
  http_config         jsonb,
  http_secrets_enc    text,
  bad_token           boolean NOT NULL DEFAULT false,
  last_error_code     text,
  last_error_message  text,
  last_error_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_destinations_tenant ON data_destinations (tenant_id);

CREATE TABLE pipeline_destinations (
  pipeline_id          text NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
  destination_id       text NOT NULL REFERENCES data_destinations (id) ON DELETE CASCADE,
  filter_status        boolean,                         -- as pipelines.filter_status
  blocked_event_types  text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (pipeline_id, destination_id)
);
CREATE INDEX pipeline_destinations_destination ON pipeline_destinations (destination_id);

-- Every existing pixel connection as a Meta CAPI pipeline.
CREATE TEMP TABLE pixel_pipelines ON COMMIT DROP AS
  SELECT p.pixel_id, p.tenant_id, p.name, 'sg_v1_pl_' || gen_random_uuid() AS pl, 'sg_v1_dd_' || gen_random_uuid() AS dd
    FROM pixels p;
INSERT INTO pipelines (id, tenant_id, name, type, pixel_id)
  SELECT pl, tenant_id, 'Conversions API Gateway (' || pixel_id || ')', 'META_CAPI_PIPELINE', pixel_id FROM pixel_pipelines;
INSERT INTO data_sources (id, tenant_id, name, type, pixel_id)
  SELECT pixel_id, tenant_id, CASE WHEN name = '' THEN 'Meta Pixel (' || pixel_id || ')' ELSE name END, 'META_PIXEL', pixel_id
    FROM pixel_pipelines;
INSERT INTO data_destinations (id, tenant_id, name, type, pixel_id, dataset_id)
  SELECT dd, tenant_id, 'Meta Dataset (' || pixel_id || ')', 'META_CONVERSIONS_API', pixel_id, pixel_id FROM pixel_pipelines;
INSERT INTO pipeline_sources (pipeline_id, source_id) SELECT pl, pixel_id FROM pixel_pipelines;
INSERT INTO pipeline_destinations (pipeline_id, destination_id) SELECT pl, dd FROM pixel_pipelines;

-- Privacy settings per account: consent policy and data processing options (eventEnrichment is
-- tenants.event_enrichment).
ALTER TABLE tenants
  ADD COLUMN consent_policy text NOT NULL DEFAULT 'DROP' CHECK (consent_policy IN ('IGNORE', 'DROP', 'LIMIT')),
  ADD COLUMN consent_required boolean NOT NULL DEFAULT false,
  ADD COLUMN dpo_options text[],            -- null: none set; e.g. {LDU}
  ADD COLUMN dpo_country integer,
  ADD COLUMN dpo_state integer;

-- The template library for custom HTTP destinations: an account's saved templates (the built-in
-- ones live in code).
CREATE TABLE payload_templates (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

-- File uploads and their reports.
CREATE TABLE file_uploads (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  source_id        text,                  -- the FILE_UPLOAD source, or null (rows name their DATA_SET_ID)
  file_name        text NOT NULL DEFAULT '',
  status           text NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'FAILED')),
  rows             bigint NOT NULL DEFAULT 0,
  uploaded         bigint NOT NULL DEFAULT 0,
  duplicates       bigint NOT NULL DEFAULT 0,
  excluded         bigint NOT NULL DEFAULT 0,
  excluded_reasons jsonb NOT NULL DEFAULT '{}',     -- reason -> count
  excluded_rows    jsonb NOT NULL DEFAULT '[]',     -- the first rows excluded: [{row, reason}]
  warnings         jsonb NOT NULL DEFAULT '[]',     -- about the file as a whole (unknown columns, ...)
  error            text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  -- Moved by each progress write: a RUNNING upload not updated for long lost its gateway.
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX file_uploads_tenant ON file_uploads (tenant_id, started_at DESC);

-- Alerts: the channels that already have an incident's current state ('firing:webhook',
-- 'firing:email', 'resolved:...'), so a retry after one channel failed does not repeat the others.
ALTER TABLE alert_incidents ADD COLUMN delivered text[] NOT NULL DEFAULT '{}';

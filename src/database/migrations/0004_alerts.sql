-- Alerts: where each account's alerts go, and the incidents they were about (one open incident
-- per pixel and kind, so an alert fires once and recovers once, whichever instance sees it first).

CREATE TABLE alert_settings (
  tenant_id            text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  enabled              boolean NOT NULL DEFAULT true,
  emails               text[] NOT NULL DEFAULT '{}',
  webhook_url          text,
  stall_minutes        integer NOT NULL DEFAULT 30,
  dead_letter_percent  integer NOT NULL DEFAULT 10,
  queue_age_minutes    integer NOT NULL DEFAULT 60,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_incidents (
  id             bigserial PRIMARY KEY,
  tenant_id      text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  pixel_id       text NOT NULL,
  kind           text NOT NULL,  -- stalled | token_rejected | dead_letters | queue_age | near_expiry
  detail         text NOT NULL,
  opened_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  -- Notifications owed: claimed (set) before sending, cleared again when the send fails.
  fired_sent     boolean NOT NULL DEFAULT false,
  resolved_sent  boolean NOT NULL DEFAULT false,
  attempts       integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (tenant_id, pixel_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX alert_incidents_tenant ON alert_incidents (tenant_id, opened_at DESC);

-- What the dashboard shows beyond counts.

-- "Forgot password" on the login page: without email, an admin sees the request and gives the link.
ALTER TABLE users ADD COLUMN password_reset_requested_at timestamptz;

-- The latest events of each pixel as they went through the gateway: the payload sent to Meta and
-- Meta's answer, or why the event was not sent. A sample, trimmed to the newest rows per pixel by
-- maintenance; event payloads are otherwise never kept after delivery.
CREATE TABLE recent_events (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  pixel_id    text NOT NULL,
  event_name  text NOT NULL,
  event_id    text NOT NULL DEFAULT '',
  outcome     text NOT NULL CHECK (outcome IN ('PUBLISHED', 'DROPPED', 'RETRYING', 'DEAD_LETTERED')),
  reason      text,
  payload     jsonb,
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recent_events_pixel ON recent_events (pixel_id, id DESC);

-- A replayed dead letter goes back to the queue with the website it came from, so its counts land
-- on the same row of the Websites screen.
ALTER TABLE dead_letters ADD COLUMN domain text NOT NULL DEFAULT '';

// The peer: how most teams forward browser events to the Conversions API today. An Express app
// that maps each incoming pixel event to the SDK's ServerEvent and calls EventRequest.execute()
// once per request, answering only after Meta (here: our fake Graph API) answered.
// Env: PORT, GRAPH_URL (the fake), ACCESS_TOKEN.
import { createRequire } from 'node:module';
import express from 'express';

const require = createRequire(import.meta.url);
const bizSdk = require('facebook-nodejs-business-sdk');
const { FacebookAdsApi, EventRequest, ServerEvent, UserData, CustomData } = bizSdk;

const port = Number(process.env.PORT ?? 8090);
const graphUrl = process.env.GRAPH_URL ?? 'http://127.0.0.1:4100';
const accessToken = process.env.ACCESS_TOKEN ?? 'EAAB-bench-peer-token';

// The SDK has no base-URL setting: point its GRAPH getter at the fake.
Object.defineProperty(FacebookAdsApi, 'GRAPH', { get: () => graphUrl });
FacebookAdsApi.init(accessToken, 'en_US', false);

const app = express();
app.disable('x-powered-by');
app.set('trust proxy', false);
app.use(express.json({ type: ['application/json', 'text/plain'], limit: '1mb' }));

app.post('/events', async (req, res) => {
  const body = req.body ?? {};
  const pixelId = String(body['fb.pixel_id'] ?? '');
  if (!/^\d+$/.test(pixelId) || typeof body.event_name !== 'string') {
    res.status(400).json({ error: { message: 'bad event' } });
    return;
  }
  const userData = new UserData()
    .setClientIpAddress(req.socket.remoteAddress ?? '')
    .setClientUserAgent(req.get('user-agent') ?? '');
  if (body['fb.fbp']) userData.setFbp(body['fb.fbp']);
  const event = new ServerEvent()
    .setEventName(body.event_name)
    .setEventTime(Math.floor(Date.now() / 1000))
    .setEventId(body.event_id)
    .setActionSource('website')
    .setEventSourceUrl(body.website_context?.location ?? '')
    .setUserData(userData)
    .setCustomData(new CustomData());
  try {
    const response = await new EventRequest(accessToken, pixelId).setEvents([event]).execute();
    res.status(200).json({ events_received: response.events_received });
  } catch (err) {
    res.status(502).json({ error: { message: String(err?.message ?? err) } });
  }
});

app.listen(port, '127.0.0.1', () => process.stdout.write(`peer listening on ${port}\n`));
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));

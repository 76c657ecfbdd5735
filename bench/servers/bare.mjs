// The ceiling: the least a Node HTTP server can do for a POST. It reads the body and answers 204.
// Env: PORT.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8091);
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(204);
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`bare listening on ${port}\n`));
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FileUploadRecord } from '../../database/repos/file-uploads-repo.js';
import type { TenantScope } from '../../database/repos/signal-configs-repo.js';
import { errorBody } from '../../platform/http-app.js';
import type { AuthorizeUpload } from '../file-upload/authorize-upload.js';

// GET /capig/uploads/?tenantId=…[&id=…][&limit=…]: the account's recent file uploads and their
// reports (RUNNING ones with their counts so far), newest first; for anyone who can view the account.

export interface GetUploadsDeps {
  authorize: AuthorizeUpload;
  list(scope: TenantScope, limit: number): Promise<FileUploadRecord[]>;
  get(scope: TenantScope, id: string): Promise<FileUploadRecord | null>;
  /** Told to clients so they can refuse a larger file before sending it. */
  maxBytes: number;
}

export function registerGetUploads(app: FastifyInstance, deps: GetUploadsDeps): void {
  app.get('/capig/uploads', handle);
  app.get('/capig/uploads/', handle);

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const tenantId = typeof q.tenantId === 'string' ? q.tenantId : '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) {
      return reply.status(400).send(errorBody('tenantId is required in the query string', 100, req.id));
    }
    const id = q.id;
    if (id !== undefined && (typeof id !== 'string' || !/^fu_[0-9a-f-]{36}$/.test(id))) {
      return reply.status(400).send(errorBody('id must be an upload id (fu_…)', 100, req.id));
    }
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return reply.status(400).send(errorBody('limit must be a whole number from 1 to 100', 100, req.id));
    }
    const auth = await deps.authorize(
      { authorization: req.headers.authorization, cookie: req.headers.cookie },
      tenantId,
      'view',
      { changes: false },
    );
    if (!auth.ok) {
      const code = auth.status === 404 ? 100 : auth.status === 401 ? 190 : 200;
      return reply.status(auth.status).send(errorBody(auth.message, code, req.id));
    }
    if (typeof id === 'string') {
      const upload = await deps.get(auth.scope, id);
      if (!upload) return reply.status(404).send(errorBody(`upload ${id} not found`, 100, req.id));
      return { uploads: [upload], maxBytes: deps.maxBytes };
    }
    return { uploads: await deps.list(auth.scope, limit), maxBytes: deps.maxBytes };
  }
}

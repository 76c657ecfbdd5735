// Expected control-plane failures carry Meta's documented codes. Resolvers throw ControlError
// (graphql-js turns a throw into an error entry); anything else is a bug and is reported as 500
// without its message, so stack traces and secrets never reach a client.

export type ControlErrorCode = 400 | 401 | 404 | 409 | 418 | 500;

export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const badInput = (message: string) => new ControlError(400, message);
export const unauthorized = (message = 'not authorized: sign in, or send a valid "Authorization: Bearer <token>"') =>
  new ControlError(401, message);
export const forbidden = (message: string) => new ControlError(401, message);
export const notFound = (message: string) => new ControlError(404, message);
export const conflict = (message: string) => new ControlError(409, message);

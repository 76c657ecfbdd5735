import type { Sql } from '../db.js';

// What the publisher learns about a pixel from Meta's answers, for the control plane to show.
export function createPixelStatusRepo(db: Sql) {
  return {
    async recordError(pixelId: string, e: { code: string; message: string; badToken: boolean }): Promise<void> {
      await db.query(
        `UPDATE pixels SET last_error_code = $2, last_error_message = $3, last_error_at = now(),
                           bad_token = bad_token OR $4
          WHERE pixel_id = $1`,
        [pixelId, e.code, e.message.slice(0, 1000), e.badToken],
      );
    },
  };
}

export type PixelStatusRepo = ReturnType<typeof createPixelStatusRepo>;

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

    /** Meta accepted the pixel's events again: the last error is history, not a current problem. */
    async clearError(pixelId: string): Promise<void> {
      await db.query(
        `UPDATE pixels SET last_error_code = NULL, last_error_message = NULL, last_error_at = NULL
          WHERE pixel_id = $1 AND last_error_code IS NOT NULL`,
        [pixelId],
      );
    },
  };
}

export type PixelStatusRepo = ReturnType<typeof createPixelStatusRepo>;

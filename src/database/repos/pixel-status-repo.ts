import type { Sql } from '../db.js';

// What the publisher learns about a lane from the answers it gets (a pixel connection's, or a
// destination's), for the control plane to show.
export function createPixelStatusRepo(db: Sql) {
  return {
    async recordError(lane: string, e: { code: string; message: string; badToken: boolean }): Promise<void> {
      const args = [lane, e.code, e.message.slice(0, 1000), e.badToken];
      await db.query(
        `UPDATE pixels SET last_error_code = $2, last_error_message = $3, last_error_at = now(),
                           bad_token = bad_token OR $4
          WHERE pixel_id = $1`,
        args,
      );
      await db.query(
        `UPDATE data_destinations SET last_error_code = $2, last_error_message = $3, last_error_at = now(),
                                      bad_token = bad_token OR $4
          WHERE id = $1 AND pixel_id IS NULL`,
        args,
      );
    },

    /** The lane's events were accepted again: the last error is history, not a current problem. */
    async clearError(lane: string): Promise<void> {
      await db.query(
        `UPDATE pixels SET last_error_code = NULL, last_error_message = NULL, last_error_at = NULL
          WHERE pixel_id = $1 AND last_error_code IS NOT NULL`,
        [lane],
      );
      await db.query(
        `UPDATE data_destinations SET last_error_code = NULL, last_error_message = NULL, last_error_at = NULL
          WHERE id = $1 AND pixel_id IS NULL AND last_error_code IS NOT NULL`,
        [lane],
      );
    },
  };
}

export type PixelStatusRepo = ReturnType<typeof createPixelStatusRepo>;

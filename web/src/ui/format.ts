// Numbers and times as people read them.

const nf = new Intl.NumberFormat('en-US');
export const count = (n: number | null | undefined) => (n == null ? '—' : nf.format(n));
export const percent = (ratio: number | null | undefined) =>
  ratio == null ? '—' : `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)}%`;

/** "3 min ago", or "never" for 0/null (epoch ms). */
export function ago(epochMs: number | null | undefined): string {
  if (!epochMs) return 'never';
  const s = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export const dateTime = (epochMs: number) =>
  new Date(epochMs).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

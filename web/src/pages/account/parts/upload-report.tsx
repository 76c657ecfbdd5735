import { useState } from 'react';
import { count } from '../../../ui/format';
import { Badge, Notice, Tile } from '../../../ui/layout';

// A file upload's report: how many rows, how many were uploaded, duplicates, and every excluded
// row with its reason (the gateway keeps the first 1,000), with the counts per reason.

export interface UploadReport {
  id: string;
  fileName: string | null;
  status: string | null;
  rows: number;
  uploaded: number;
  duplicates: number;
  excluded: number;
  excludedReasons: { reason: string; count: number }[];
  excludedRows: { row: number; reason: string; detail?: string | null }[];
  warnings: string[];
  error: string | null;
}

/** The route answers excludedReasons as {reason: count}; GraphQL as [{reason, count}]. */
export function reportOf(raw: Record<string, unknown>): UploadReport {
  const reasons = raw.excludedReasons;
  const list = Array.isArray(reasons)
    ? (reasons as { reason: string; count: number }[])
    : Object.entries((reasons ?? {}) as Record<string, number>).map(([reason, n]) => ({ reason, count: n }));
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
  return {
    id: String(raw.id ?? ''),
    fileName: (raw.fileName as string | null) ?? null,
    status: (raw.status as string | null) ?? null,
    rows: num(raw.rows),
    uploaded: num(raw.uploaded),
    duplicates: num(raw.duplicates),
    excluded: num(raw.excluded),
    excludedReasons: [...list].sort((a, b) => b.count - a.count),
    excludedRows: (raw.excludedRows as UploadReport['excludedRows'] | null) ?? [],
    warnings: (raw.warnings as string[] | null) ?? [],
    error: (raw.error as string | null) ?? null,
  };
}

export function StatusBadge({ status }: { status: string | null }) {
  if (status === 'DONE') return <Badge tone="green">Done</Badge>;
  if (status === 'FAILED') return <Badge tone="red">Failed</Badge>;
  if (status === 'RUNNING') return <Badge tone="blue">Running</Badge>;
  return <Badge tone="grey">{status ?? 'unknown'}</Badge>;
}

const SHOWN = 100;

export function UploadReportView({ report: r }: { report: UploadReport }) {
  const [all, setAll] = useState(false);
  const rows = all ? r.excludedRows : r.excludedRows.slice(0, SHOWN);
  return (
    <section className="stack" aria-label="Upload report">
      <div className="detail-head">
        <span className="strong break">{r.fileName || 'Upload'}</span>
        <StatusBadge status={r.status} />
      </div>
      {r.error ? <Notice kind="error">{r.error}</Notice> : null}
      <div className="tiles compact upload-tiles">
        <Tile label="Rows" value={count(r.rows)} />
        <Tile label="Uploaded" value={count(r.uploaded)} hint="queued as events" />
        <Tile label="Duplicates" value={count(r.duplicates)} hint="sent before" />
        <Tile label="Excluded" value={count(r.excluded)} hint="not sent" />
      </div>
      {r.warnings.map((w) => (
        <Notice key={w} kind="warning">
          {w}
        </Notice>
      ))}
      {r.excludedReasons.length > 0 ? (
        <section>
          <h3>Why rows were excluded</h3>
          <table aria-label="Excluded rows per reason">
            <thead>
              <tr>
                <th>Reason</th>
                <th className="num">Rows</th>
              </tr>
            </thead>
            <tbody>
              {r.excludedReasons.map((x) => (
                <tr key={x.reason}>
                  <td className="reason">{x.reason}</td>
                  <td className="num">{count(x.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {r.excludedRows.length > 0 ? (
        <section>
          <h3>Excluded rows</h3>
          <table aria-label="Excluded rows">
            <thead>
              <tr>
                <th className="num" title="Line of the file; the header is line 1">
                  Line
                </th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <tr key={x.row}>
                  <td className="num">{count(x.row)}</td>
                  <td className="reason">
                    {x.detail || x.reason}
                    {x.detail ? <div className="sub mono">{x.reason}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <span className="muted">
              {count(rows.length)} of {count(r.excludedRows.length)} shown
              {r.excluded > r.excludedRows.length
                ? ` (the gateway keeps the first ${count(r.excludedRows.length)})`
                : ''}
            </span>
            {r.excludedRows.length > SHOWN ? (
              <button type="button" className="btn small" onClick={() => setAll(!all)}>
                {all ? 'Show fewer' : 'Show all'}
              </button>
            ) : null}
          </div>
        </section>
      ) : null}
    </section>
  );
}

import { useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, uploadFile } from '../../api';
import { Dialog } from '../../ui/dialog';
import { count } from '../../ui/format';
import { Card, EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { tenantQuery } from './parts/gql';
import { present } from './parts/pipeline-api';
import { reportOf, StatusBadge, type UploadReport, UploadReportView } from './parts/upload-report';
import './account.css';
import './pipelines.css';

// Offline events from a CSV file with Meta's headers (DATA_SET_ID, EVENT_NAME, EVENT_TIME, …): the
// file is streamed to POST /capig/uploads/ with a progress bar, then its report is shown.

const REPORT_FIELDS =
  'id dataSourceId fileName status rows uploaded duplicates excluded excludedReasons { reason count } excludedRows { row reason detail } error startedAt finishedAt';
const MB = 1024 * 1024;
const size = (bytes: number) => (bytes < MB ? `${count(Math.ceil(bytes / 1024))} KB` : `${(bytes / MB).toFixed(1)} MB`);

type Progress = { sent: number; total: number } | null;

export function UploadsPage() {
  const account = useAccount();
  const [params] = useSearchParams();
  const [source, setSource] = useState(params.get('source') ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<UploadReport | null>(null);
  const [open, setOpen] = useState<UploadReport | null>(null);
  const abort = useRef<(() => void) | null>(null);
  const fileId = useId();
  const sourceId = useId();
  const sources = useQuery(async () => {
    const d = await tenantQuery<{
      dataSourcesQuery: ({ id: string; name: string | null; type: string } | null)[] | null;
    }>(account.id, '', 'dataSourcesQuery { id name type }');
    return present(d.dataSourcesQuery).filter((s) => s.type === 'FILE_UPLOAD');
  }, [account.id]);
  const recent = useQuery(
    async () =>
      (
        await tenantQuery<{ fileUploads: Record<string, unknown>[] }>(
          account.id,
          '',
          `fileUploads(limit: 20) { ${REPORT_FIELDS} }`,
        )
      ).fileUploads.map(reportOf),
    [account.id],
  );
  // An upload in flight stops with the screen.
  useEffect(() => () => abort.current?.(), []);

  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setReport(null);
    setProgress({ sent: 0, total: file.size });
    const query = new URLSearchParams({ tenantId: account.id, fileName: file.name });
    if (source) query.set('dataSourceId', source);
    const upload = uploadFile<Record<string, unknown>>(`/capig/uploads/?${query}`, file, 'text/csv', (sent, total) =>
      setProgress({ sent, total }),
    );
    abort.current = upload.abort;
    try {
      setReport(reportOf({ fileName: file.name, ...(await upload.done) }));
      recent.reload();
    } catch (err) {
      setError((err as Error).message);
      // Rows read before the failure were kept: the gateway sends their report with the error.
      const partial =
        err instanceof ApiError ? (err.body as { upload?: Record<string, unknown> } | null)?.upload : null;
      if (partial) setReport(reportOf({ fileName: file.name, ...partial }));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };
  const sent = progress ? Math.min(progress.sent, progress.total) : 0;
  const percent = progress && progress.total > 0 ? Math.floor((sent / progress.total) * 100) : 0;

  return (
    <Page
      title="File uploads"
      intro="Send offline events (store sales, phone orders) from a CSV file with Meta's column names: DATA_SET_ID, EVENT_NAME, EVENT_TIME (YYYY-MM-DD HH:mm:ss), ACTION_SOURCE, VALUE, CURRENCY, ORDER_ID, EMAIL, PHONE, … Rows are deduplicated, so a file can be uploaded again safely."
    >
      {account.canManage ? (
        <Card title="Upload a file">
          <form className="form narrow-form" onSubmit={start}>
            <div className="field">
              <label htmlFor={sourceId}>Source</label>
              <select id={sourceId} value={source} disabled={!!progress} onChange={(e) => setSource(e.target.value)}>
                <option value="">None: each row's DATA_SET_ID names a connected pixel</option>
                {(sources.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name || s.id} (through its pipelines)
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={fileId}>CSV file</label>
              <input
                id={fileId}
                type="file"
                accept=".csv,text/csv"
                required
                disabled={!!progress}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
              {file ? <div className="hint muted">{`${file.name}, ${size(file.size)}`}</div> : null}
            </div>
            {progress ? (
              <div className="upload-progress" role="status">
                <progress aria-label="Upload progress" max={100} value={percent} />
                <span className="muted">
                  {sent < progress.total
                    ? `${percent}%: ${size(sent)} of ${size(progress.total)} sent`
                    : 'Sent. The gateway is reading the rows…'}
                </span>
              </div>
            ) : null}
            {error ? <ErrorNote message={error} /> : null}
            <div className="button-row">
              <button type="submit" className="btn primary" disabled={!file || !!progress}>
                {progress ? 'Uploading…' : 'Upload'}
              </button>
              {progress ? (
                <button type="button" className="btn" onClick={() => abort.current?.()}>
                  Cancel
                </button>
              ) : null}
            </div>
          </form>
        </Card>
      ) : null}
      {report ? (
        <Card title="Report">
          <UploadReportView report={report} />
        </Card>
      ) : null}
      <Card
        title="Recent uploads"
        actions={
          <button type="button" className="btn small" onClick={recent.reload}>
            Refresh
          </button>
        }
      >
        {recent.error ? <ErrorNote message={recent.error} onRetry={recent.reload} /> : null}
        {recent.loading ? (
          <Loading what="recent uploads" />
        ) : (recent.data ?? []).length === 0 ? (
          <EmptyState title="No file uploaded yet" />
        ) : (
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th>Status</th>
                <th className="num">Rows</th>
                <th className="num hide-narrow">Uploaded</th>
                <th className="num hide-narrow">Excluded</th>
              </tr>
            </thead>
            <tbody>
              {(recent.data ?? []).map((u) => (
                <tr key={u.id}>
                  <td>
                    <button
                      type="button"
                      className="link-button strong"
                      aria-haspopup="dialog"
                      onClick={() => setOpen(u)}
                    >
                      {u.fileName || u.id}
                    </button>
                  </td>
                  <td>
                    <StatusBadge status={u.status} />
                  </td>
                  <td className="num">{count(u.rows)}</td>
                  <td className="num hide-narrow">{count(u.uploaded)}</td>
                  <td className="num hide-narrow">{count(u.excluded)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Dialog title="Upload report" open={open !== null} onClose={() => setOpen(null)} wide>
        {open ? (
          <div className="dialog-body">
            <UploadReportView report={open} />
          </div>
        ) : null}
      </Dialog>
    </Page>
  );
}

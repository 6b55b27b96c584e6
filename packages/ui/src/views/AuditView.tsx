import type { AuditResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { formatClock } from '../lib/format.js';
import type { ViewProps } from '../view-props.js';

/** The audit log (debugger role): every mutation and every read of captured data, newest first. */
export function AuditView(_props: ViewProps) {
  const { data, error, reload } = useJson<AuditResponse>('api/audit?limit=500', 5000);
  const entries = data ? [...data.entries].reverse() : [];
  return (
    <section class="stats-view" aria-labelledby="audit-h" data-testid="view-audit">
      <h1 id="audit-h">Audit log</h1>
      <p class="muted">
        Who changed what, and who read snapshots, logpoint output, profiles and source files: by token id (never the token), from which address, with the answer's status.
        {data && data.dropped > 0 ? ` ${data.dropped} older entries are only in the log file.` : ''}{' '}
        <button type="button" class="btn ghost small" onClick={reload}>Refresh</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && entries.length === 0 && <p class="muted">Nothing yet.</p>}
      {entries.length > 0 && (
        <table class="kv-table audit-table" data-testid="audit-table">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Role</th><th scope="col">Token id</th><th scope="col">From</th></tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-testid="audit-row">
                <td class="mono">{formatClock(e.at)}</td>
                <td class="mono">{e.action}</td>
                <td class="mono">{e.target}</td>
                <td class="mono num">{e.status || '—'}</td>
                <td>{e.role}</td>
                <td class="mono">{e.tokenId}</td>
                <td class="mono">{e.ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

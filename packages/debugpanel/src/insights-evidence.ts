/**
 * What the panel's other analyses lend the insights engine as evidence, through the engine's
 * small function options (insights itself stays pure and imports only the model): the query
 * fingerprint of a database span, the error group of an error's origin span, and the query
 * findings (N+1 and friends) of a whole trace. Each is called off the request path, when the
 * engine digests a settled trace.
 */
import type { ErrorGroupFn, FindingsFn, FingerprintFn } from '@debugpanel/insights';
import { fingerprint, statementOf } from '@debugpanel/queries';
import type { ErrorCapture } from './error-capture.js';
import type { QueryFeed } from './query-feed.js';

export interface InsightsEvidence {
  fingerprint: FingerprintFn;
  errorGroup?: ErrorGroupFn;
  findings?: FindingsFn;
}

/**
 * @example
 * new InsightsEngine({ criticalPath, source, ...insightsEvidence(errors, queries) });
 */
export function insightsEvidence(errors: ErrorCapture | undefined, queries: QueryFeed | undefined): InsightsEvidence {
  const out: InsightsEvidence = {
    // The same fingerprint as the Queries view, so a suspect links to `/api/queries/:fingerprint`.
    fingerprint: (span) => {
      const fp = fingerprint(statementOf(span));
      return { id: fp.id, text: fp.text };
    },
  };
  if (errors) {
    // The group the Errors view shows for this very span (grouped a few ms after the span ended,
    // long before its trace settles for insights).
    out.errorGroup = (span) => {
      for (const o of errors.groups.inTrace(span.traceId)) {
        if (o.spanId !== span.spanId) continue;
        const brief = errors.groups.brief(o.fingerprint);
        return { fingerprint: o.fingerprint, ...(brief ? { type: brief.type, message: brief.title } : {}) };
      }
      return undefined;
    };
  }
  if (queries) out.findings = (spans) => queries.insights.traceFindings(spans);
  return out;
}

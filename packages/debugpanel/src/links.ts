/**
 * Trace ids an incident points at (its suspects' example traces and the error groups' and
 * findings' examples): the store keeps them longest (retention class `linked`), so a link in an
 * incident still opens its trace after the store has thinned the traces around it.
 */
import type { IncidentSummary } from '@debugpanel/model';

export function incidentTraceIds(incident: IncidentSummary): string[] {
  const ids = new Set<string>();
  for (const s of incident.suspects) {
    const ev = s.evidence;
    for (const id of ev.anomalousTraces) ids.add(id);
    for (const id of ev.normalTraces) ids.add(id);
    for (const g of ev.errorGroups ?? []) for (const id of g.traceIds) ids.add(id);
    for (const f of ev.findings ?? []) for (const id of f.traceIds) ids.add(id);
  }
  return [...ids];
}

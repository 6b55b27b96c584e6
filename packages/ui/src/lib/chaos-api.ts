/**
 * The Chaos view's pure parts: the form as a rule body, the server's validation issues by field,
 * remaining times, and sending a rule or experiment so that a 400's issues reach the form.
 */
import { CHAOS_KINDS, type ChaosIssue, type ChaosRule, type ChaosRuleInput, type ChaosTarget, type ChaosValidationError, type FaultKind } from '@debugpanel/model';

/** The form's fields, all as typed text (the server checks them and names what is wrong). */
export interface ChaosForm {
  /** Experiment name; empty: a plain rule */
  name: string;
  target: ChaosTarget;
  kind: FaultKind;
  ms: string;
  status: string;
  service: string;
  method: string;
  route: string;
  host: string;
  statement: string;
  fingerprint: string;
  header: string;
  /** percent, 1..100 */
  ratePct: string;
  /** seconds */
  durationSec: string;
}

export const EMPTY_CHAOS_FORM: ChaosForm = {
  name: '', target: 'incoming', kind: 'latency', ms: '300', status: '503', service: '', method: '', route: '', host: '', statement: '', fingerprint: '', header: '', ratePct: '100', durationSec: '60',
};

/** The kinds the form offers for a target; a kind that does not fit falls back to the first. */
export function kindsFor(target: ChaosTarget): ReadonlyArray<FaultKind> {
  return CHAOS_KINDS[target];
}

/** Which optional inputs the form shows for a target and kind. */
export function fieldsFor(target: ChaosTarget, kind: FaultKind): Array<keyof ChaosForm> {
  const f: Array<keyof ChaosForm> = [];
  if (kind === 'latency' || kind === 'timeout') f.push('ms');
  if (kind === 'error' && target !== 'db') f.push('status');
  f.push('service');
  if (target !== 'db') f.push('method', 'route');
  if (target === 'outgoing') f.push('host');
  if (target === 'db') f.push('statement', 'fingerprint');
  f.push('header');
  return f;
}

function num(s: string): number | string {
  const t = s.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/**
 * The rule body for the form: empty inputs are left out (the server's defaults apply), numbers
 * are sent as numbers, anything else as typed, for the server to refuse with a message.
 *
 * @example
 * formToRule({ ...EMPTY_CHAOS_FORM, target: 'db', kind: 'error', statement: 'SELECT stock' })
 * // { target: 'db', fault: { kind: 'error' }, scope: { statement: 'SELECT stock' }, rate: 1, durationMs: 60000 }
 */
export function formToRule(form: ChaosForm): ChaosRuleInput {
  const shown = new Set(fieldsFor(form.target, form.kind));
  const fault: Record<string, unknown> = { kind: form.kind };
  if (shown.has('ms') && form.ms.trim() !== '') fault.ms = num(form.ms);
  if (shown.has('status') && form.status.trim() !== '') fault.status = num(form.status);
  const scope: Record<string, string> = {};
  for (const key of ['service', 'method', 'route', 'host', 'statement', 'fingerprint', 'header'] as const) {
    if (shown.has(key) && form[key].trim() !== '') scope[key] = form[key].trim();
  }
  const body: Record<string, unknown> = { target: form.target, fault };
  if (Object.keys(scope).length > 0) body.scope = scope;
  const pct = num(form.ratePct);
  if (form.ratePct.trim() !== '') body.rate = typeof pct === 'number' ? pct / 100 : pct;
  const sec = num(form.durationSec);
  if (form.durationSec.trim() !== '') body.durationMs = typeof sec === 'number' ? Math.round(sec * 1000) : sec;
  return body as unknown as ChaosRuleInput;
}

/** The body of `POST api/chaos/experiments` for the form (its rule without `durationMs`). */
export function formToExperiment(form: ChaosForm): { name: string; rule: ChaosRuleInput; durationMs: unknown } {
  const { durationMs, ...rule } = formToRule(form) as ChaosRuleInput & { durationMs?: unknown };
  return { name: form.name.trim(), rule: rule as ChaosRuleInput, durationMs: durationMs ?? 60_000 };
}

/** Server issue fields -> the form input they belong to (`rule.fault.ms` -> `ms`, `rate` -> `ratePct`). */
export function issuesByInput(issues: ReadonlyArray<ChaosIssue>): Partial<Record<keyof ChaosForm | 'form', string>> {
  const out: Partial<Record<keyof ChaosForm | 'form', string>> = {};
  for (const i of issues) {
    const f = i.field.replace(/^rule\./, '');
    const key: keyof ChaosForm | 'form' =
      f === 'fault.ms' ? 'ms'
      : f === 'fault.status' ? 'status'
      : f === 'fault.kind' ? 'kind'
      : f === 'rate' ? 'ratePct'
      : f === 'durationMs' ? 'durationSec'
      : f === 'name' ? 'name'
      : f === 'target' ? 'target'
      : f.startsWith('scope.') && (['service', 'method', 'route', 'host', 'statement', 'fingerprint', 'header'] as string[]).includes(f.slice(6)) ? (f.slice(6) as keyof ChaosForm)
      : 'form';
    out[key] = out[key] ? `${out[key]}; ${i.message}` : i.message;
  }
  return out;
}

/** `4:05 left`, `12 s left`, `expired` from the ms left when fetched and the ms since. */
export function remainingLabel(remainingMs: number, sinceFetchMs = 0): string {
  const ms = Math.max(0, remainingMs - sinceFetchMs);
  if (ms <= 0) return 'expiring';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s left`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}

/** One line for a rule: `db error · statement SELECT stock · 50% · 12 injected`. */
export function describeRuleLine(r: ChaosRule): string {
  const f = r.fault;
  const what = f.kind === 'latency' || f.kind === 'timeout' ? `${f.kind} ${f.ms} ms` : f.kind === 'error' && f.status ? `error ${f.status}` : f.kind;
  const scope = (['method', 'route', 'host', 'statement', 'fingerprint', 'header'] as const).filter((k) => r.scope[k]).map((k) => `${k} ${r.scope[k]}`);
  return [`${r.target} ${what}`, ...scope, r.rate < 1 ? `${Math.round(r.rate * 100)}%` : '', `${r.injected}/${r.matched} injected`].filter(Boolean).join(' · ');
}

export type Sent<T> = { ok: true; value: T } | { ok: false; error: string; issues: ChaosIssue[] };

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** POSTs a rule or an experiment; a 4xx comes back with the server's issues for the form. */
export async function postChaos<T>(path: string, body: unknown, fetchImpl: Fetch = (i, init) => fetch(i, init)): Promise<Sent<T>> {
  const res = await fetchImpl(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  if (res.ok) return { ok: true, value: json as T };
  const e = json as Partial<ChaosValidationError> | undefined;
  return { ok: false, error: typeof e?.error === 'string' ? e.error : `${res.status} ${res.statusText}`, issues: Array.isArray(e?.issues) ? e!.issues : [] };
}

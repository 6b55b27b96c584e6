import { useState } from 'preact/hooks';
import type { TraceQuery } from '@debugpanel/model';
import { formToQuery, queryToForm, type FilterForm } from '../../lib/trace-filters.js';

const REASONS = ['all', 'error', 'slow', 'sampled', 'pinned'];

export interface FiltersProps {
  /** The address's filter: the fields show it (mount the form with `key` on the query to reset them) */
  query: TraceQuery;
  onApply: (q: TraceQuery) => void;
  onSlowest: () => void;
  slowestBusy: boolean;
  /** Where Clear goes: the list with the shared context only (the bar's own Clear drops that) */
  clearHref: string;
}

/**
 * The trace list's own filters: what the shared filter bar (views/ContextBar.tsx: service, route,
 * status, time) does not have. Every field is controlled and starts from the address's query
 * (`queryToForm`), so a shared link shows its filter, and Apply without an edit asks for the same
 * query (`formToQuery`, which keeps the bar's part).
 */
export function Filters(props: FiltersProps) {
  const [form, setForm] = useState<FilterForm>(() => queryToForm(props.query));
  const field = <K extends keyof FilterForm>(key: K) => ({
    value: form[key],
    onInput: (e: Event) => setForm((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value })),
  });
  const submit = (e: Event) => {
    e.preventDefault();
    props.onApply(formToQuery(form, props.query));
  };
  return (
    <form class="filters" onSubmit={submit} role="search" aria-label="Filter traces" data-testid="filters">
      <label class="grow2">
        <span>Search</span>
        <input name="text" type="search" {...field('text')} placeholder="span name, attribute value, trace id   ( / )" data-search data-testid="filter-text" />
      </label>
      <label>
        <span>Span name</span>
        <input name="name" {...field('name')} placeholder="exact name" data-testid="filter-name" />
      </label>
      <label class="narrow" title="The HTTP status the request answered (its root span): classes and codes, comma-separated. A server's 4xx is the client's mistake, not an error; Status=error finds failures.">
        <span>HTTP</span>
        <input name="httpStatus" {...field('httpStatus')} placeholder="5xx, 404" data-testid="filter-http" />
      </label>
      <label class="narrow">
        <span>Min ms</span>
        <input name="minDuration" type="number" min="0" step="any" {...field('minDuration')} data-testid="filter-min" />
      </label>
      <label class="narrow">
        <span>Max ms</span>
        <input name="maxDuration" type="number" min="0" step="any" {...field('maxDuration')} data-testid="filter-max" />
      </label>
      <label class="grow">
        <span>Attributes</span>
        <input name="attr" {...field('attr')} placeholder="key=value key2=value2" data-testid="filter-attr" />
      </label>
      <label class="narrow">
        <span>Kept</span>
        <input name="reason" {...field('reason')} placeholder="reason" list="reasons" data-testid="filter-reason" />
        <datalist id="reasons">
          {REASONS.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      </label>
      <div class="filter-actions">
        <button type="submit" class="btn primary" data-testid="filter-apply">
          Apply
        </button>
        <button type="button" class="btn" onClick={props.onSlowest} disabled={props.slowestBusy} title="Traces above the p99 duration of this filter" data-testid="slowest">
          Slowest 1%
        </button>
        <a class="btn ghost" href={props.clearHref} data-testid="filter-clear" title="Clear these filters (the bar's service, route, status and time stay)">
          Clear
        </a>
      </div>
    </form>
  );
}

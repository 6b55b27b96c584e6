import { severityName } from '@debugpanel/model';

/** The severity badge: OTel's name for the number, the logger's own word in the tooltip. */
export function Severity({ n, text }: { n: number; text: string }) {
  return (
    <span class="sev-badge" title={`${text} (severity ${n})`} data-testid="severity">
      {severityName(n)}
    </span>
  );
}

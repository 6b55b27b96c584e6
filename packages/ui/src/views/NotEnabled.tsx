/** The card a view shows until the feature behind it is enabled. */
export function NotEnabled(props: { title: string; testId: string; detail?: string }) {
  return (
    <section class="placeholder" data-testid={props.testId} aria-labelledby={`${props.testId}-h`}>
      <h1 id={`${props.testId}-h`}>{props.title}</h1>
      <p class="muted">{props.detail ?? 'Not enabled yet in this build of debugpanel.'}</p>
    </section>
  );
}

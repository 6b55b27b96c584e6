import { KEY_HELP } from '../lib/keys.js';

/** The `?` dialog: every keyboard shortcut (`lib/keys.ts`). Esc, `?` or a click outside closes it. */
export function KeyHelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <div class="key-help-backdrop" onClick={onClose}>
      <div class="key-help" role="dialog" aria-modal="true" aria-labelledby="key-help-h" data-testid="key-help" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2 id="key-help-h">Keyboard shortcuts</h2>
          <button type="button" class="btn ghost small" onClick={onClose} aria-label="Close the key help" data-testid="key-help-close" autoFocus>
            ✕
          </button>
        </header>
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Where</th>
              <th>Does</th>
            </tr>
          </thead>
          <tbody>
            {KEY_HELP.map((k, i) => (
              <tr key={i}>
                <td>
                  <kbd>{k.keys}</kbd>
                </td>
                <td class="muted">{k.where}</td>
                <td>{k.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

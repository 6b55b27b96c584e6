/** Light/dark theme: follows prefers-color-scheme until the user picks one, then remembers it. */
export type Theme = 'light' | 'dark';
const KEY = 'debugpanel.theme';

export function storedTheme(): Theme | undefined {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : undefined;
  } catch {
    return undefined; // storage disabled: follow the system
  }
}

export function currentTheme(): Theme {
  return storedTheme() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

export function applyTheme(theme: Theme, persist: boolean): void {
  document.documentElement.dataset.theme = theme;
  if (!persist) return;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage disabled: the choice lasts for this page */
  }
}

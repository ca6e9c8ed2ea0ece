// What the status bar item says. Pure: unit tests call these directly.

/** The answer of the server's `notels/vaultStatus` request. */
export interface VaultStatus {
  readonly notes: number;
  readonly cards: number;
  readonly errors: number;
  readonly warnings: number;
  /** Notes whose problems a `partial` answer left uncounted: not checked yet. */
  readonly unchecked?: number;
  readonly indexing?: boolean;
}

export interface StatusView {
  readonly text: string; // with $(codicon) references
  readonly tooltip: string;
}

export const VAULT_STATUS_REQUEST = 'notels/vaultStatus';

export function isVaultStatus(value: unknown): value is VaultStatus {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return ['notes', 'cards', 'errors', 'warnings'].every((key) => typeof record[key] === 'number');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function startingView(): StatusView {
  return { text: '$(loading~spin) notels', tooltip: 'notels: starting the language server' };
}

export function indexingView(title: string, message?: string, percentage?: number): StatusView {
  const detail = message ? ` ${message}` : percentage !== undefined ? ` ${percentage}%` : '';
  return {
    text: `$(sync~spin) notels: indexing${detail}`,
    tooltip: message ? `${title}: ${message}` : title,
  };
}

/** The notes a `partial` answer left out (0 from a full answer or an older server). */
export function uncheckedNotes(status: VaultStatus): number {
  return typeof status.unchecked === 'number' && status.unchecked > 0 ? status.unchecked : 0;
}

/**
 * "42 cards" plus the problem counts; the tooltip spells it out. While notes are left to check,
 * the counts so far come with a spinner: they only grow.
 */
export function vaultView(status: VaultStatus): StatusView {
  const unchecked = uncheckedNotes(status);
  const clean = status.errors === 0 && status.warnings === 0;
  let problems = clean ? '$(check)' : `$(error) ${status.errors} $(warning) ${status.warnings}`;
  if (unchecked > 0) {
    problems = clean ? '$(sync~spin) checking' : `${problems} $(sync~spin)`;
  }
  const text = `$(notebook) ${plural(status.cards, 'card')} ${problems}`;
  const checking = unchecked > 0 ? ` so far, ${plural(unchecked, 'note')} left to check` : '';
  const tooltip =
    `notels: ${plural(status.notes, 'note')}, ${plural(status.cards, 'card')}, ` +
    `${plural(status.errors, 'error')}, ${plural(status.warnings, 'warning')}${checking}` +
    (status.indexing ? ' (still indexing)' : '') +
    '. Click to show the problems.';
  return { text, tooltip };
}

/** Without the custom request: counts of the notels diagnostics VS Code holds. */
export function diagnosticsView(errors: number, warnings: number): StatusView {
  const problems = errors === 0 && warnings === 0 ? '$(check)' : `$(error) ${errors} $(warning) ${warnings}`;
  return {
    text: `notels ${problems}`,
    tooltip: `notels: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}. Click to show the problems.`,
  };
}

export function failedView(message: string): StatusView {
  return { text: '$(error) notels', tooltip: `${message}\nClick to show the output.` };
}

/** Progress tokens the server uses for indexing a vault (`notels-index-<n>`). */
export function isIndexingToken(token: string | number): boolean {
  return typeof token === 'string' && token.startsWith('notels-index');
}

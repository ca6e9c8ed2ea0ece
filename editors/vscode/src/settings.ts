// VS Code's `notels.*` settings -> the server's `notels` settings section.
//
// Pure (no `vscode` import) so unit tests run under plain Node. Two rules shape it:
// - Only settings the user actually set are sent. The server puts the editor's settings on top of
//   the vault's `.notels.toml`, so sending VS Code's defaults would silently override that file.
// - Only keys the server knows are sent (it rejects unknown keys); the extension's own settings
//   (`server.*`, `trace.*`) stay in the client.

/** What `WorkspaceConfiguration.inspect(key)` returns, reduced to the fields used here. */
export interface Inspected {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/** Looks up one key of the `notels` section (e.g. `"idStyle"`); undefined for unknown keys. */
export type Inspect = (key: string) => Inspected | undefined;

interface Mapping {
  readonly setting: string; // key under `notels.` in VS Code
  readonly server: string; // key in the server's section (the `.notels.toml` spelling)
  readonly merge?: boolean; // objects: the scopes' entries merge, as VS Code does for objects
}

export const SERVER_SETTINGS: readonly Mapping[] = [
  { setting: 'rules', server: 'rules', merge: true },
  { setting: 'idStyle', server: 'id-style' },
  { setting: 'idDigits', server: 'id-digits' },
  { setting: 'staleFixMinWords', server: 'stale-fix-min-words' },
  { setting: 'fixTagPrefixes', server: 'fix-tag-prefixes' },
  { setting: 'debounceMs', server: 'debounce-ms' },
  { setting: 'maxFileSize', server: 'max-file-size' },
  { setting: 'ignore', server: 'ignore' },
  { setting: 'newNoteFolder', server: 'new-note-folder' },
  { setting: 'newNoteTemplate', server: 'new-note-template' },
  { setting: 'noteTypes', server: 'note-types', merge: true },
  // The server computes backlink lenses only when asked to; off unless the user turns it on.
  { setting: 'codeLens.enable', server: 'code-lens' },
];

/** Settings that only the extension reads; changing one of these restarts the server. */
export const CLIENT_SETTINGS = ['server.path', 'server.python'] as const;

export type ServerSettings = Record<string, unknown>;

/** The `notels` section to hand the server for one scope (a vault folder, or none). */
export function toServerSettings(inspect: Inspect): ServerSettings {
  const result: ServerSettings = {};
  for (const { setting, server, merge } of SERVER_SETTINGS) {
    const value = explicitValue(inspect(setting), merge === true);
    if (value !== undefined) {
      result[server] = value;
    }
  }
  return result;
}

/** The most specific value the user set, or undefined when only the default applies. */
export function explicitValue(inspected: Inspected | undefined, merge = false): unknown {
  if (inspected === undefined) {
    return undefined;
  }
  const scopes = [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue];
  const set = scopes.filter((value) => value !== undefined && value !== null);
  if (set.length === 0) {
    return undefined;
  }
  if (merge && set.every(isPlainObject)) {
    return Object.assign({}, ...set) as Record<string, unknown>;
  }
  return set[set.length - 1];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when a configuration change means the server process must be found again. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return CLIENT_SETTINGS.some((key) => affects(`notels.${key}`));
}

import * as assert from 'node:assert/strict';

import { Inspected, explicitValue, needsRestart, toServerSettings } from '../../src/settings';

/** `inspect` over a table of key -> scopes. */
function inspectOf(table: Record<string, Inspected>): (key: string) => Inspected | undefined {
  return (key) => table[key] ?? {};
}

describe('settings mapping', () => {
  it('sends nothing when the user set nothing, so .notels.toml stays in charge', () => {
    assert.deepEqual(toServerSettings(inspectOf({})), {});
    assert.deepEqual(toServerSettings(() => undefined), {});
  });

  it('maps camelCase VS Code settings to the server keys', () => {
    const settings = toServerSettings(
      inspectOf({
        idStyle: { globalValue: 'comment' },
        idDigits: { workspaceValue: 10 },
        staleFixMinWords: { globalValue: 5 },
        fixTagPrefixes: { globalValue: ['todo'] },
        debounceMs: { globalValue: 300 },
        maxFileSize: { globalValue: 1000 },
        ignore: { workspaceValue: ['Templates/**'] },
        noteTypes: { globalValue: { Basic: ['Front', 'Back'] } },
        rules: { globalValue: { 'missing-id': 'error' } },
      }),
    );
    assert.deepEqual(settings, {
      rules: { 'missing-id': 'error' },
      'id-style': 'comment',
      'id-digits': 10,
      'stale-fix-min-words': 5,
      'fix-tag-prefixes': ['todo'],
      'debounce-ms': 300,
      'max-file-size': 1000,
      ignore: ['Templates/**'],
      'note-types': { Basic: ['Front', 'Back'] },
    });
  });

  it('never sends the extension-only settings', () => {
    const settings = toServerSettings(
      inspectOf({
        'server.path': { globalValue: '/x' },
        'trace.server': { globalValue: 'verbose' },
      }),
    );
    assert.deepEqual(settings, {});
  });

  it('sends the code lens switch as the server key', () => {
    const settings = toServerSettings(inspectOf({ 'codeLens.enable': { globalValue: true } }));
    assert.deepEqual(settings, { 'code-lens': true });
  });

  it('takes the most specific scope', () => {
    assert.equal(explicitValue({ globalValue: 13, workspaceValue: 12, workspaceFolderValue: 11 }), 11);
    assert.equal(explicitValue({ globalValue: 13, workspaceValue: 12 }), 12);
    assert.equal(explicitValue({ globalValue: 'plain' }), 'plain');
    assert.equal(explicitValue({ globalValue: null }), undefined);
  });

  it('merges rule severities across scopes, the folder winning', () => {
    const settings = toServerSettings(
      inspectOf({
        rules: {
          globalValue: { 'missing-id': 'error', 'empty-note': 'off' },
          workspaceFolderValue: { 'missing-id': 'hint' },
        },
      }),
    );
    assert.deepEqual(settings, { rules: { 'missing-id': 'hint', 'empty-note': 'off' } });
  });

  it('does not merge lists', () => {
    const settings = toServerSettings(
      inspectOf({ fixTagPrefixes: { globalValue: ['fix'], workspaceValue: ['todo'] } }),
    );
    assert.deepEqual(settings, { 'fix-tag-prefixes': ['todo'] });
  });

  it('restarts the server only for the server location settings', () => {
    assert.equal(needsRestart((section) => section === 'notels.server.path'), true);
    assert.equal(needsRestart((section) => section === 'notels.server.python'), true);
    assert.equal(needsRestart((section) => section === 'notels.rules'), false);
  });
});

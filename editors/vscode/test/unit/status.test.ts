import * as assert from 'node:assert/strict';

import {
  diagnosticsView,
  indexingView,
  isIndexingToken,
  isVaultStatus,
  uncheckedNotes,
  vaultView,
} from '../../src/status';
import { generateIdsSummary } from '../../src/summary';
import { findVaultRoot } from '../../src/vault';
import * as path from 'node:path';

describe('status bar text', () => {
  it('shows cards and problems', () => {
    const view = vaultView({ notes: 12, cards: 1, errors: 2, warnings: 0 });
    assert.equal(view.text, '$(notebook) 1 card $(error) 2 $(warning) 0');
    assert.match(view.tooltip, /12 notes, 1 card, 2 errors, 0 warnings/);
  });

  it('shows a check mark for a clean vault', () => {
    assert.equal(vaultView({ notes: 1, cards: 3, errors: 0, warnings: 0 }).text, '$(notebook) 3 cards $(check)');
    assert.equal(diagnosticsView(0, 0).text, 'notels $(check)');
    assert.equal(diagnosticsView(1, 4).text, 'notels $(error) 1 $(warning) 4');
  });

  it('shows the counts so far while notes are left to check', () => {
    const partial = { notes: 10, cards: 4, errors: 0, warnings: 0, unchecked: 7 };
    assert.equal(vaultView(partial).text, '$(notebook) 4 cards $(sync~spin) checking');
    assert.match(vaultView(partial).tooltip, /0 warnings so far, 7 notes left to check\./);
    const found = { ...partial, errors: 2, warnings: 1, unchecked: 1 };
    assert.equal(vaultView(found).text, '$(notebook) 4 cards $(error) 2 $(warning) 1 $(sync~spin)');
    assert.match(vaultView(found).tooltip, /so far, 1 note left to check/);
    assert.equal(uncheckedNotes(found), 1);
    assert.equal(uncheckedNotes({ notes: 1, cards: 0, errors: 0, warnings: 0 }), 0); // an older server
    assert.equal(vaultView({ ...partial, unchecked: 0 }).text, '$(notebook) 4 cards $(check)');
  });

  it('shows indexing progress', () => {
    assert.equal(indexingView('notels: indexing vault', '40/120 notes', 33).text, '$(sync~spin) notels: indexing 40/120 notes');
    assert.equal(indexingView('notels: indexing vault', undefined, 33).text, '$(sync~spin) notels: indexing 33%');
    assert.equal(isIndexingToken('notels-index-3'), true);
    assert.equal(isIndexingToken(7), false);
  });

  it('checks the shape of a vaultStatus answer', () => {
    assert.equal(isVaultStatus({ notes: 1, cards: 2, errors: 0, warnings: 0, indexing: false }), true);
    assert.equal(isVaultStatus({ notes: 1 }), false);
    assert.equal(isVaultStatus(null), false);
  });
});

describe('vault detection', () => {
  const api = path.posix;
  it('finds the nearest folder with .obsidian or .notels.toml upward', () => {
    const markers = new Set(['/home/me/vault/.obsidian', '/home/me/other/.notels.toml']);
    const exists = (file: string): boolean => markers.has(file);
    assert.equal(findVaultRoot('/home/me/vault/deep/er/note.md', exists, api), '/home/me/vault');
    assert.equal(findVaultRoot('/home/me/other', exists, api), '/home/me/other');
    assert.equal(findVaultRoot('/home/me/notes/a.md', exists, api), undefined);
  });
});

describe('generate IDs summary', () => {
  it('says how many IDs were written where', () => {
    assert.equal(generateIdsSummary({ ids: 3, files: 2, skipped: 0, applied: true }), 'notels: wrote 3 new Anki IDs in 2 notes.');
    assert.equal(
      generateIdsSummary({ ids: 1, files: 1, skipped: 1, applied: true }),
      'notels: wrote 1 new Anki ID in 1 note. 1 card left without one: see their quick fixes.',
    );
  });

  it('says when there was nothing to do or the edit was refused', () => {
    assert.equal(generateIdsSummary({ ids: 0, files: 0, skipped: 0, applied: false }), 'notels: no card needed a new Anki ID.');
    assert.match(generateIdsSummary({ ids: 2, files: 1, skipped: 0, applied: false }), /could not be applied/);
    assert.equal(generateIdsSummary(null), 'notels: no card needed a new Anki ID.');
  });

  it('names the notes the server wrote when the edit of the open ones was refused', () => {
    assert.equal(
      generateIdsSummary({ ids: 5, files: 4, written: 3, skipped: 0, applied: false }),
      'notels: wrote new Anki IDs into 3 notes; the edit of 1 open note was not applied (see the notels output).',
    );
    assert.equal(
      generateIdsSummary({ ids: 5, files: 4, written: 4, skipped: 0, applied: true }),
      'notels: wrote 5 new Anki IDs in 4 notes.',
    );
  });
});

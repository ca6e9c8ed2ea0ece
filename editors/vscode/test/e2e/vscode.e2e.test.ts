// End to end: the packaged extension in a real VS Code (code-server) in headless Chromium.
//
// Opt-in (NOTELS_E2E_VSCODE=1); scripts/e2e.sh installs everything and sets the variables below.
// Given a vault with a card lacking an ID, when the note is opened, then the Problems panel shows
// `missing-id`; `[[Mo` completes to `[[More]]`; and the quick fix "Generate Anki ID" writes an
// `ID:` line.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Locator, Page } from 'playwright-core';
import {
  STATUS_ITEM,
  VsCode,
  findLogs,
  keep,
  launchVsCode,
  makeVault,
  removeUnlessKept,
  runCommand,
  statusSpinning,
  text,
  waitFor,
} from './harness';

const enabled = process.env.NOTELS_E2E_VSCODE === '1';
const expectQuickFix = process.env.NOTELS_E2E_EXPECT_QUICKFIX === '1';

const NOTE = [
  '# Anki',
  'TARGET DECK: e2e::deck',
  'START',
  'Basic',
  'FRONT: What is two plus two?',
  'BACK: Four.',
  'END',
  '',
].join('\n');

(enabled ? describe : describe.skip)('VS Code end to end (code-server + Chromium)', function () {
  this.timeout(300_000);

  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  let tmp = '';
  let vault = '';
  let vscode: VsCode | undefined;
  let userData = '';
  let page: Page;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'notels-e2e-'));
    vault = makeVault(tmp, {
      'Cards.md': NOTE,
      'More.md': NOTE.replace('two plus two', 'three plus three').replace('Four', 'Six'),
    });
    vscode = await launchVsCode(tmp, vault, {
      // Reaches the server through workspace/configuration: the status bar then counts errors.
      'notels.rules': { 'missing-id': 'error' },
      'notels.trace.server': process.env.NOTELS_E2E_TRACE ?? 'messages',
    });
    page = vscode.page;
    userData = vscode.userData;
    console.log(`      workbench loaded (${elapsed()})`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && vscode !== undefined) {
      const shot = path.join(tmp, `${this.currentTest.title.replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      console.log(`      screenshot: ${shot}`);
      for (const log of findLogs(userData, /notels\.log$|remoteexthost\.log$/)) {
        console.log(`      --- ${log}\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
      }
      console.log(`      --- code-server output\n${vscode.output().slice(-3000)}`);
    }
  });

  after(async () => {
    await vscode?.close();
    removeUnlessKept(tmp);
  });

  it('starts in a vault before any note is opened (workspaceContains)', async () => {
    const label = await waitFor('the notels status bar item', 30_000, async () => {
      const content = await text(page.locator(STATUS_ITEM));
      return /\bcards?\b/.test(content) ? content : undefined;
    });
    console.log(`      status bar before opening a note: "${label.trim()}" (${elapsed()})`);
  });

  it('shows missing-id in the Problems panel and the vault in the status bar', async () => {
    await openNote(page, 'Cards.md');
    console.log(`      note open (${elapsed()})`);
    // The extension's own command: asks the server for the whole vault, opens Problems.
    await runCommand(page, 'notels: Check Vault');
    const problems = page.locator('.markers-panel');
    const shown = await waitFor('missing-id in the Problems panel', 90_000, async () => {
      const content = await text(problems);
      return content.includes('missing-id') ? content : undefined;
    });
    assert.match(shown, /Card has no ID|missing-id/);
    // Workspace diagnostics: the note that is not open is listed too.
    await waitFor('More.md in the Problems panel', 30_000, async () =>
      (await text(problems)).includes('More.md') ? true : undefined,
    );
    console.log(`      Problems panel shows missing-id, also for More.md (${elapsed()})`);

    const status = page.locator(STATUS_ITEM);
    // Counted once every note is checked: no spinner (a partial count shows one).
    const label = await waitFor('the notels status bar item to count cards and problems', 30_000, async () => {
      const content = await text(status);
      return /\bcards?\b/.test(content) && !(await statusSpinning(page)) ? content : undefined;
    });
    // Two cards, two errors (missing-id raised to error by the settings), no warnings.
    assert.match(label.replace(/\s+/g, ' '), /2 cards 2 0/);
    console.log(`      status bar: "${label.trim()}" (${elapsed()})`);
  });

  it('completes a link after [[ and closes it', async () => {
    // VS Code's client takes the list's shared edit range (itemDefaults.editRange) and each
    // item's textEditText: accepting an item must write the whole link, replacing what was typed.
    await page.locator('.editor-instance .view-line', { hasText: /^END$/ }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('See [[Mo');
    const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'More' }).first();
    let shown = await suggestion
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    if (!shown) {
      await page.keyboard.press('Control+Space'); // typing may have outrun the trigger
      await suggestion.waitFor({ timeout: 15_000 });
    }
    await page.keyboard.press('Enter');
    const editorText = await waitFor('the completed link in the editor', 15_000, async () => {
      const content = (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
      return /^See \[\[More/m.test(content) ? content : undefined;
    });
    assert.match(editorText, /^See \[\[More\]\]$/m);
    await runCommand(page, 'File: Save All');
    const saved = await waitFor('the note saved with the link', 15_000, async () => {
      const content = fs.readFileSync(path.join(vault, 'Cards.md'), 'utf8');
      return content.includes('See [[') ? content : undefined;
    });
    assert.match(saved, /^END\nSee \[\[More\]\]$/m);
    console.log(`      [[Mo completed to [[More]] (${elapsed()})`);
  });

  it('applies the quick fix "Generate Anki ID"', async function () {
    // Put the cursor on the card's START line (where missing-id points) and ask for the fixes,
    // as a person would with Ctrl+. in the editor.
    await page.locator('.editor-instance .view-line', { hasText: /^START$/ }).first().click();
    const menus = page.locator('.action-widget, .context-view');
    const fix = menus.getByText('Generate Anki ID', { exact: true }).first();
    let offered = false;
    for (let attempt = 0; attempt < 3 && !offered; attempt++) {
      await page.keyboard.press('Control+.');
      offered = await fix
        .waitFor({ timeout: 8_000 })
        .then(() => true)
        .catch(() => false);
      if (!offered) {
        await page.keyboard.press('Escape');
      }
    }
    if (!offered) {
      await page.screenshot({ path: path.join(tmp, 'quick-fix-menu.png') }).catch(() => undefined);
      if (expectQuickFix) {
        assert.fail(`the quick fix "Generate Anki ID" is not offered (menu: "${await text(menus)}")`);
      }
      console.log('      the server offers no "Generate Anki ID" yet: skipped (set NOTELS_E2E_EXPECT_QUICKFIX=1 to require it)');
      await page.keyboard.press('Escape');
      this.skip();
    }
    await fix.click();
    const editorText = await waitFor('an ID line in the editor', 15_000, async () => {
      const content = (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
      return /^ID: \d+$/m.test(content) ? content : undefined;
    });
    assert.match(editorText, /^ID: \d{13}$/m);
    await runCommand(page, 'File: Save All');
    const saved = await waitFor('the note saved with its ID', 15_000, async () => {
      const content = fs.readFileSync(path.join(vault, 'Cards.md'), 'utf8');
      return /^ID: \d+$/m.test(content) ? content : undefined;
    });
    assert.match(saved, /^BACK: Four\.\nID: \d{13}\nEND$/m);
    console.log(`      quick fix applied and saved (${elapsed()})`);
  });

  it('generates the missing IDs of the whole vault with "notels: Generate Missing Anki IDs"', async function () {
    await runCommand(page, 'notels: Generate Missing Anki IDs');
    const toasts = page.locator('.notifications-toasts');
    const message = await waitFor('the command to answer', 30_000, async () => {
      const content = await text(toasts.locator('.notification-list-item-message'));
      return /notels: (wrote|no card|Generate Anki IDs failed)/.test(content) ? content : undefined;
    });
    if (message.includes('failed')) {
      if (expectQuickFix) {
        assert.fail(`notels.generateIds failed: ${message}`);
      }
      console.log(`      the server has no notels.generateIds yet: skipped (${message.trim()})`);
      this.skip();
    }
    assert.match(message, /notels: wrote 1 new Anki ID in 1 note\./);
    await runCommand(page, 'File: Save All');
    const saved = await waitFor('More.md saved with its ID', 15_000, async () => {
      const content = fs.readFileSync(path.join(vault, 'More.md'), 'utf8');
      return /^ID: \d+$/m.test(content) ? content : undefined;
    });
    assert.match(saved, /^BACK: Six\.\nID: \d{13}\nEND$/m);
    const problems = page.locator('.markers-panel');
    await waitFor('the Problems panel to empty', 30_000, async () =>
      (await text(problems)).includes('missing-id') ? undefined : true,
    );
    console.log(`      generateIds wrote the ID of More.md; no problems left (${elapsed()})`);
  });

  it('says what to do when the server cannot be found', async function () {
    this.timeout(420_000); // up to three reloads
    // A notels.server.path that does not exist, then a reload of the window (code-server does
    // not notice the settings file changing behind its back).
    const settingsFile = path.join(userData, 'User', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    delete settings['notels.server.python'];
    settings['notels.server.path'] = path.join(tmp, 'no-such-venv', 'bin', 'notels');
    // Atomically: code-server sometimes does watch the file, and a truncated file read midway
    // has neither key, so the extension fell back to `python3 -m notels` (a flaky failure).
    fs.writeFileSync(`${settingsFile}.tmp`, JSON.stringify(settings, null, 2));
    fs.renameSync(`${settingsFile}.tmp`, settingsFile);
    // The reloaded window may first read the settings code-server had cached: the extension
    // starts on those, and restarts when the file's settings arrive. In about one run of
    // eight they never did (no error anywhere, not even in the notification center): the
    // test reloads again then, at most twice, each time saying what the status bar showed.
    let notice: Locator | undefined;
    for (let reload = 1; reload <= 3 && notice === undefined; reload++) {
      await runCommand(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      notice = await startError(page);
      if (notice === undefined) {
        const status = await text(page.locator(STATUS_ITEM));
        console.log(`      reload ${reload}: no start error shown (status bar: "${status}")`);
      }
    }
    assert.ok(notice, 'the start error was shown after none of three reloads');
    const message = await text(notice.locator('.notification-list-item-message'));
    assert.match(message, /notels\.server\.path .*no-such-venv.*does not exist/);
    assert.match(message, /pip install <path to a notels checkout>/);
    assert.equal(await notice.first().getByRole('button', { name: 'Open Install Docs' }).count(), 1);
    const status = await text(page.locator(STATUS_ITEM));
    assert.doesNotMatch(status, /cards?/);
    if (keep) {
      await page.screenshot({ path: path.join(tmp, 'server-not-found.png') });
    }
    console.log(`      error shown: "${message.slice(0, 90)}..." (${elapsed()})`);
  });
});

/** The notification about the missing server, as a toast or else in the notification center
 * (a toast can be hidden again before it is seen); undefined when it is in neither. */
async function startError(page: Page): Promise<Locator | undefined> {
  const shown = (where: string): Locator =>
    page
      .locator(`${where} .notification-list-item`, { hasText: 'cannot start the language server' })
      .filter({ hasText: 'no-such-venv' });
  try {
    await shown('.notifications-toasts').first().waitFor({ timeout: 30_000 });
    return shown('.notifications-toasts');
  } catch {
    await runCommand(page, 'Notifications: Show Notifications');
    try {
      await shown('.notifications-center').first().waitFor({ timeout: 10_000 });
      console.log('      (found in the notification center, not as a toast)');
      return shown('.notifications-center');
    } catch {
      await page.keyboard.press('Escape');
      return undefined;
    }
  }
}

async function openNote(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await page.locator('.editor-instance .view-lines', { hasText: 'TARGET DECK' }).first().waitFor({ timeout: 15_000 });
}

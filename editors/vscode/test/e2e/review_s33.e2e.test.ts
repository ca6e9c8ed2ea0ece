// Review s33, end to end: the server ran, then died, and cannot start again (the virtualenv was
// changed under it: `pip install -e .` of a broken checkout, an upgrade that lost pygls).
//
// README, Troubleshooting: "The server stopped: the extension restarts a crashed server a few
// times, then shows an error in the status bar". Expected: as at the first start (review s31),
// one error, naming the reason the server printed (here "No module named 'pygls'"), and no
// loop of starts. Run with the other end-to-end tests (tests/editors/test_vscode.py).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STATUS_ITEM, VsCode, fakeNotels, launchVsCode, makeVault, notificationMessages, removeUnlessKept, required, runCommand, text, waitFor } from './harness';

describe('review s33: a server that died and cannot start again', function () {
  this.timeout(300_000);
  let tmp = '';
  let vscode: VsCode | undefined;

  after(async () => {
    await vscode?.close();
    removeUnlessKept(tmp);
  });

  it('is named once, with the reason it printed', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'notels-review-s33-'));
    const vault = makeVault(tmp, { 'Cards.md': 'START\nBasic\nFront: q\nBack: a\nEND\n' });
    const python = required('NOTELS_E2E_SERVER_PYTHON');
    const starts = path.join(tmp, 'serve-starts.log');
    const pidFile = path.join(tmp, 'serve.pid');
    const broken = path.join(tmp, 'broken');
    const notels = fakeNotels(tmp, [
      `if [ "$1" = "--version" ]; then exec '${python}' -P -m notels --version; fi`,
      `echo "$*" >> '${starts}'`,
      `if [ -e '${broken}' ]; then`,
      `  echo "ModuleNotFoundError: No module named 'pygls'" >&2`,
      '  exit 1',
      'fi',
      `echo $$ > '${pidFile}'`,
      `exec '${python}' -P -m notels "$@"`,
    ]);
    vscode = await launchVsCode(tmp, vault, { 'notels.server.path': notels });
    const page = vscode.page;
    await waitFor('the status bar to count the cards', 90_000, async () =>
      /card/.test(await text(page.locator(STATUS_ITEM))) ? true : undefined,
    );
    // The virtualenv breaks, then the running server dies.
    fs.writeFileSync(broken, '');
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    // Enough for the language client's restarts, which follow a crash at once.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const launched = fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean).length - 1;
    const messages = (await notificationMessages(page)).filter((m) => /notels|server/i.test(m));
    console.log(`      serve started ${launched} times after the crash; notifications:\n        ${messages.join('\n        ')}`);
    assert.ok(launched <= 1, `the server was started ${launched} times: ${messages.join(' | ')}`);
    assert.equal(messages.length, 1, `${messages.length} notifications: ${messages.join(' | ')}`);
    assert.match(messages[0] ?? '', /No module named 'pygls'/);
  });

  // The user repairs the virtualenv and runs "notels: Check Vault" (README: "has the server
  // check every note, then opens the Problems panel"). Expected: the vault's problems, as when
  // the first start had failed (then the commands start the server). What happens: the command
  // asks the stopped client, which fails in the output channel only, and opens an empty
  // Problems panel: "No problems have been detected in the workspace".
  it('checks the vault with "notels: Check Vault" once the server can start again', async () => {
    assert.ok(vscode !== undefined, 'the test above ran');
    const page = vscode.page;
    fs.rmSync(path.join(tmp, 'broken'));
    await page.keyboard.press('Escape');
    await runCommand(page, 'notels: Check Vault');
    const problems = page.locator('.markers-panel');
    await waitFor('missing-id in the Problems panel', 60_000, async () =>
      (await text(problems)).includes('missing-id') ? true : undefined,
    );
  });
});

// Review s33, end to end: a server that exits while the client waits for its answer to
// `initialize`. Run with the other end-to-end tests (tests/editors/test_vscode.py).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STATUS_ITEM, VsCode, fakeNotels, launchVsCode, makeVault, notificationMessages, removeUnlessKept, required, text } from './harness';

// A `notels` whose `--version` answers but whose `serve` exits at once, after reading the
// client's `initialize` (here it runs `python serve`, as a Python in notels.server.path did:
// "can't open file '<vault>/serve'"). Expected: one error naming what it printed,
// as for any server that cannot start (README, Troubleshooting). What happens: nothing at all,
// not even the status bar item. The client's start() resolved although the server
// had exited during `initialize` (the connection closed first), and the extension took it for
// a running server.
describe('review s33: a server that exits while it is asked to initialize', function () {
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
    const notels = fakeNotels(tmp, [
      'if [ "$1" = "--version" ]; then echo "notels 0.1.0"; exit 0; fi',
      `exec '${python}' "$@"`,
    ]);
    vscode = await launchVsCode(tmp, vault, { 'notels.server.path': notels });
    const page = vscode.page;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const messages = (await notificationMessages(page)).filter((m) => /notels|server/i.test(m));
    const status = await text(page.locator(STATUS_ITEM));
    console.log(`      status bar: "${status}"; notifications:\n        ${messages.join('\n        ')}`);
    assert.equal(messages.length, 1, `${messages.length} notifications: ${messages.join(' | ')}`);
    assert.match(messages[0] ?? '', /can't open file/);
  });
});

// Review s33, end to end: the user points notels.server.path at the virtualenv's Python
// instead of its `notels`; the two settings sit side by side ("Path to the `notels`
// executable", "A Python interpreter that has notels installed"). Expected: the error says
// the path is a Python and names the setting for one. What happens: `python --version`
// answered ("Python 3.x"), so it was taken for notels and run as `python serve`: "serve failed
// to start: .../python: can't open file '<vault>/serve': [Errno 2] No such file or directory".
// Run with the other end-to-end tests (tests/editors/test_vscode.py).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VsCode, launchVsCode, makeVault, notificationMessages, removeUnlessKept, required } from './harness';

describe('review s33: a Python in notels.server.path', function () {
  this.timeout(300_000);
  let tmp = '';
  let vscode: VsCode | undefined;

  after(async () => {
    await vscode?.close();
    removeUnlessKept(tmp);
  });

  it('is named as a Python, with the setting for one', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'notels-review-s33-'));
    const vault = makeVault(tmp, { 'Cards.md': 'START\nBasic\nFront: q\nBack: a\nEND\n' });
    const python = required('NOTELS_E2E_SERVER_PYTHON');
    vscode = await launchVsCode(tmp, vault, { 'notels.server.path': python });
    const page = vscode.page;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const messages = (await notificationMessages(page)).filter((m) => /notels/i.test(m));
    console.log(`      notifications:\n        ${messages.join('\n        ')}`);
    assert.equal(messages.length, 1, `${messages.length} notifications: ${messages.join(' | ')}`);
    assert.match(messages[0] ?? '', /notels\.server\.python/);
    assert.doesNotMatch(messages[0] ?? '', /can't open file/);
  });
});

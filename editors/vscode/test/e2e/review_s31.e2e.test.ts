// Review s31, end to end: a `notels` that answers `--version` but cannot serve (a virtualenv
// whose pygls is missing or broken, a server that dies at import), as a user meets it.
//
// The user points notels.server.path at that executable and opens the vault. Expected (README:
// "When none works, an error names every candidate and why it failed"; Troubleshooting: "No
// module named notels" means that Python lacks the package): one error, naming the reason the
// server printed (here "No module named 'pygls'"). What happens: four or five error
// notifications at once ("Restarting server failed", "notels client: couldn't create
// connection to server.", "Client notels: connection to server is erroring. write EPIPE" (or
// "Cannot call write after a stream was destroyed"), and the extension's own "... serve failed
// to start: write EPIPE"); none says why: the server's stderr is only in the output channel.
// Run with the other end-to-end tests (tests/editors/test_vscode.py).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VsCode, fakeNotels, launchVsCode, makeVault, notificationMessages, removeUnlessKept } from './harness';

describe('review s31: a notels that cannot serve', function () {
  this.timeout(300_000);
  let tmp = '';
  let vscode: VsCode | undefined;

  after(async () => {
    await vscode?.close();
    removeUnlessKept(tmp);
  });

  it('is named once, with the reason it printed', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'notels-review-s31-'));
    const vault = makeVault(tmp, { 'Cards.md': 'START\nBasic\nFront: q\nBack: a\nEND\n' });
    const starts = path.join(tmp, 'serve-starts.log');
    const notels = fakeNotels(tmp, [
      'if [ "$1" = "--version" ]; then echo "notels 0.1.0"; exit 0; fi',
      `echo "$*" >> '${starts}'`,
      `echo "ModuleNotFoundError: No module named 'pygls'" >&2`,
      'exit 1',
    ]);
    vscode = await launchVsCode(tmp, vault, { 'notels.server.path': notels });
    const page = vscode.page;
    // Enough for the language client's restarts, which follow a crash at once (it gave up
    // after 5 crashes in 3 minutes).
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const launched = fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean).length : 0;
    const messages = (await notificationMessages(page)).filter((m) => /notels|server/i.test(m));
    console.log(`      serve started ${launched} times; notifications:\n        ${messages.join('\n        ')}`);
    assert.ok(launched <= 1, `the server was started ${launched} times: ${messages.join(' | ')}`);
    assert.equal(messages.length, 1, `${messages.length} notifications: ${messages.join(' | ')}`);
    assert.match(messages[0] ?? '', /No module named 'pygls'/);
  });
});

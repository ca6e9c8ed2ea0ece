// What the end-to-end tests share: code-server with the packaged extension in a fresh profile,
// headless Chromium on it, and the waits and keystrokes that drive the workbench.

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { Browser, Locator, Page, chromium } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const STATUS_ITEM = '[id="notels.notels.notels.status"]';
// NOTELS_E2E_KEEP=1: keep each test's temporary folder (vault, profile, logs, screenshots).
export const keep = process.env.NOTELS_E2E_KEEP === '1';

// A quiet profile: no start page, tips, trust prompt, experiments or updates.
const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'files.autoSave': 'off',
  'chat.disableAIFeatures': true,
  // `[[` stays open as typed: a completed link must then bring its own `]]`.
  'editor.autoClosingBrackets': 'never',
};

export function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run scripts/e2e.sh`);
  }
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.setTimeout(2000, () => request.destroy());
  });
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Ends `child` and waits for it to exit, at most `timeoutMs`. */
function stopped(child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill();
  });
}

export async function text(locator: Locator): Promise<string> {
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
}

/**
 * Does the notels status bar item show a spinner (`$(sync~spin)`: indexing, or problems still
 * being counted)? VS Code renders it as an element with the codicon's spin modifier class.
 */
export async function statusSpinning(page: Page): Promise<boolean> {
  return (await page.locator(`${STATUS_ITEM} [class*="spin"]`).count()) > 0;
}

/** Runs a command of the palette by its label. */
export async function runCommand(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: timeoutMs });
  await input.fill(`>${label}`);
  // Enter runs the focused row: wait until filtering has put this command there.
  await page
    .locator('.quick-input-list .monaco-list-row.focused', { hasText: label })
    .waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** A vault in `tmp` (its `vault` folder, marked by `.obsidian/app.json`) holding `notes`, by file name. */
export function makeVault(tmp: string, notes: Record<string, string>): string {
  const vault = path.join(tmp, 'vault');
  fs.mkdirSync(path.join(vault, '.obsidian'), { recursive: true });
  fs.writeFileSync(path.join(vault, '.obsidian', 'app.json'), '{}\n');
  for (const [name, note] of Object.entries(notes)) {
    fs.writeFileSync(path.join(vault, name), note);
  }
  return vault;
}

/** An executable `notels` in a virtualenv's bin of `tmp`: a shell script of `lines`. */
export function fakeNotels(tmp: string, lines: string[]): string {
  const notels = path.join(tmp, 'venv', 'bin', 'notels');
  fs.mkdirSync(path.dirname(notels), { recursive: true });
  fs.writeFileSync(notels, ['#!/bin/sh', ...lines, ''].join('\n'), { mode: 0o755 });
  return notels;
}

/** Every message of the notification center, which it opens. */
export async function notificationMessages(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center .notification-list-item-message');
  await page.waitForTimeout(1_000);
  return center.allTextContents();
}

/** Removes a test's temporary folder, unless NOTELS_E2E_KEEP=1 asks to keep it. */
export function removeUnlessKept(tmp: string): void {
  if (!tmp) {
    return;
  }
  if (keep) {
    console.log(`      kept ${tmp}`);
    return;
  }
  // The extension host may still be writing its logs a moment after code-server exits:
  // removing the folder then failed with ENOTEMPTY, and the run with it.
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** The log files under a profile's logs folder whose path matches `pattern`. */
export function findLogs(folder: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.log') && pattern.test(full)) {
        found.push(full);
      }
    }
  };
  walk(path.join(folder, 'logs'));
  return found;
}

/** code-server with the extension, and a Chromium page on its workbench. */
export interface VsCode {
  codeServer: ChildProcess;
  browser: Browser;
  page: Page;
  userData: string; // the profile: its logs folder holds the extension host's and notels' logs
  output(): string; // what code-server printed
  close(): Promise<void>;
}

/**
 * Installs the packaged extension (NOTELS_E2E_VSIX) into a fresh profile under `tmp`, with
 * `settings` over the quiet ones and the server found as NOTELS_E2E_SERVER_PYTHON's `notels`
 * script (or `python -m notels`), starts code-server (NOTELS_E2E_CODE_SERVER, on Node
 * NOTELS_E2E_NODE_BIN) on `vault`, and opens its workbench in headless Chromium. `opening` is
 * called right before the page loads, for timings from there.
 */
export async function launchVsCode(
  tmp: string,
  vault: string,
  settings: Record<string, unknown>,
  opening: () => void = () => undefined,
): Promise<VsCode> {
  const codeServerBin = required('NOTELS_E2E_CODE_SERVER');
  const nodeBin = required('NOTELS_E2E_NODE_BIN');
  const vsix = required('NOTELS_E2E_VSIX');
  const python = required('NOTELS_E2E_SERVER_PYTHON');

  // The server: the venv's `notels` script when there is one, else `python -m notels`.
  const script = path.join(path.dirname(python), 'notels');
  const serverSetting = fs.existsSync(script) ? { 'notels.server.path': script } : { 'notels.server.python': python };
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({ ...serverSetting, ...QUIET_SETTINGS, ...settings }, null, 2),
  );

  const extensions = path.join(tmp, 'extensions');
  const env = { ...process.env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? ''}` };
  execFileSync(codeServerBin, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix], {
    env,
    stdio: 'pipe',
  });

  const port = await freePort();
  const codeServer = spawn(
    codeServerBin,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      vault,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  codeServer.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  codeServer.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await stopped(codeServer, 5_000);
  };
  let browser: Browser | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor('code-server to answer', 60_000, async () => ((await get(`${base}/healthz`)) === 200 ? true : undefined));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    opening();
    await page.goto(`${base}/?folder=${encodeURIComponent(vault)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await page.locator('.statusbar').waitFor({ timeout: 60_000 });
    return { codeServer, browser, page, userData, output: () => output, close };
  } catch (error) {
    await close();
    throw error;
  }
}

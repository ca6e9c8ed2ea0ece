// The notels extension: starts `notels serve` for Obsidian vaults and wires up its commands.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ConfigurationParams,
  ExecuteCommandOptions,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RegistrationData,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  WorkspaceDiagnosticRequest,
} from 'vscode-languageclient/node';

import { Candidate, describe, failureMessage, probeError, serveArgs } from './discovery';
import { QuietClient } from './quietClient';
import { findServer } from './server';
import { Inspected, needsRestart, toServerSettings } from './settings';
import { StatusBar } from './statusBar';
import { generateIdsSummary } from './summary';
import { findVaultRoot } from './vault';

export const INSTALL_DOCS_URL =
  'https://github.com/notels/notels/blob/main/editors/vscode/README.md#install-the-server';
const SECTION = 'notels';
// Our own commands: the client must not register a VS Code command of the same name when the
// server lists it in `executeCommandProvider`.
const GENERATE_IDS = 'notels.generateIds';
const OWN_COMMANDS = new Set(['notels.restartServer', 'notels.showOutput', GENERATE_IDS, 'notels.checkVault']);

let extension: NotelsExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new NotelsExtension();
  context.subscriptions.push(extension);
  await extension.activate();
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
}

class NotelsExtension implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('notels');
  private readonly status = new StatusBar();
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private waiting: vscode.Disposable | undefined;
  private startFailed = false;

  async activate(): Promise<void> {
    const command = (name: string, run: () => unknown): void => {
      this.disposables.push(vscode.commands.registerCommand(name, run));
    };
    command('notels.restartServer', () => this.restart());
    command('notels.showOutput', () => this.output.show(true));
    command(GENERATE_IDS, () => this.generateIds());
    command('notels.checkVault', () => this.checkVault());
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        const running = this.client !== undefined || this.startFailed;
        if (running && needsRestart((section) => event.affectsConfiguration(section))) {
          void this.restart();
        }
      }),
    );
    if (await isVaultWorkspace()) {
      void this.start(); // activation need not wait for the server
    } else {
      this.waitForVault();
    }
  }

  /** Activated for a Markdown file outside any vault: start once a vault note is opened. */
  private waitForVault(): void {
    const check = async (): Promise<void> => {
      if (this.client === undefined && this.starting === undefined && (await isVaultWorkspace())) {
        this.waiting?.dispose();
        this.waiting = undefined;
        await this.start();
      }
    };
    this.waiting = vscode.Disposable.from(
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (isNote(document)) {
          void check();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void check()),
    );
  }

  async start(): Promise<LanguageClient | undefined> {
    if (this.client !== undefined && this.client.state !== State.Stopped) {
      return this.client;
    }
    if (this.client !== undefined) {
      // Stopped after crashes, or its restart failed: a command starts it again, as after a
      // failed first start (the stopped client failed each request, in the output only).
      await this.stop();
    }
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    this.startFailed = true; // until the client runs
    this.status.starting();
    const log = (line: string): void => this.output.appendLine(`[notels] ${line}`);
    const scope = vscode.workspace.workspaceFolders?.[0];
    const found = await findServer(scope, log);
    if (!found.ok) {
      const message = failureMessage(found.attempts);
      log(message);
      this.status.failed(message);
      void this.showStartError(message);
      return undefined;
    }
    const client = this.createClient(found.candidate.command, serveArgs(found.candidate));
    this.status.detach();
    client.registerFeature(this.status.progressFeature(client));
    client.onDidChangeState(({ oldState, newState }) => {
      if (this.client !== client) {
        return;
      }
      if (newState === State.Stopped && oldState === State.Starting) {
        // The client started the server again after a crash, and it failed: say why, once.
        void this.startFailure(client, found.candidate, 'it exited');
      } else if (newState === State.Stopped) {
        this.status.failed('notels: the language server stopped. Run "notels: Restart Language Server".');
      } else if (newState === State.Running) {
        this.status.attach(client); // the client restarted the server after a crash
      }
    });
    try {
      await client.start();
      if (client.state !== State.Running) {
        // start() resolves when the server exits while `initialize` waits for its answer and
        // the closed connection is handled first (`python serve`): a failed start all the same.
        throw new Error('the server exited while starting');
      }
      client.markRunning();
    } catch (error) {
      await this.startFailure(client, found.candidate, errorText(error));
      await client.dispose().catch(() => undefined);
      return undefined;
    }
    this.client = client;
    this.startFailed = false;
    this.status.attach(client);
    return client;
  }

  /** The server exited before it answered: one error, with the last line it printed. */
  private async startFailure(client: QuietClient, candidate: Candidate, fallback: string): Promise<void> {
    const printed = await client.startOutput();
    const reason = printed.trim() ? probeError(printed, '', null) : fallback;
    const message = `notels: ${describe(candidate)} serve failed to start: ${reason}`;
    this.output.appendLine(`[notels] ${message}`);
    this.status.failed(message);
    void this.showStartError(message);
  }

  private createClient(command: string, args: string[]): QuietClient {
    const serverOptions: ServerOptions = {
      run: { command, args, options: { env: process.env } },
      debug: { command, args, options: { env: process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'markdown' }],
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          configuration: (params, token, next) => this.configuration(params, token, next),
          // The server then asks for its settings through `workspace/configuration`, which
          // sends each vault folder's own values, minus the extension's client-only keys.
          didChangeConfiguration: (_sections, next) => next(undefined),
        },
      },
    };
    const client = new QuietClient(serverOptions, clientOptions, this.output);
    // Keep our commands ours: drop them from the server's list before the client registers it.
    const commands = client.getFeature(ExecuteCommandRequest.method);
    const register = commands.register.bind(commands);
    commands.register = (data: RegistrationData<ExecuteCommandOptions>): void => {
      const own = data.registerOptions.commands.filter((name) => !OWN_COMMANDS.has(name));
      register({ ...data, registerOptions: { ...data.registerOptions, commands: own } });
    };
    return client;
  }

  private async configuration(
    params: ConfigurationParams,
    token: vscode.CancellationToken,
    next: (params: ConfigurationParams, token: vscode.CancellationToken) => unknown,
  ): Promise<unknown[]> {
    const others = params.items.filter((item) => item.section !== SECTION);
    const answers = others.length > 0 ? await next({ items: others }, token) : [];
    const rest = Array.isArray(answers) ? [...(answers as unknown[])] : [];
    return params.items.map((item) => {
      if (item.section !== SECTION) {
        return rest.shift() ?? null;
      }
      const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
      const config = vscode.workspace.getConfiguration(SECTION, scope);
      return toServerSettings((key) => config.inspect(key) as Inspected | undefined);
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      this.status.detach();
      await client.dispose(2000).catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    await this.starting;
    await this.stop();
    this.output.appendLine('[notels] restarting');
    await this.start();
  }

  private async showStartError(message: string): Promise<void> {
    const docs = 'Open Install Docs';
    const settings = 'Open Settings';
    const output = 'Show Output';
    const choice = await vscode.window.showErrorMessage(message, docs, settings, output);
    if (choice === docs) {
      await vscode.env.openExternal(vscode.Uri.parse(INSTALL_DOCS_URL));
    } else if (choice === settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'notels.server');
    } else if (choice === output) {
      this.output.show(true);
    }
  }

  /** The server's `notels.generateIds`: an ID for every card lacking one, in every vault. */
  private async generateIds(): Promise<void> {
    const client = await this.start();
    if (client === undefined) {
      return;
    }
    // Notes not open in an editor are written by the server itself (writeClosedNotes), as
    // `notels check --fix` writes them: applied by VS Code, an edit of the 832 notes lacking IDs
    // in a 10,000-note vault opened 833 tabs and froze the window for about a minute (9.5 s this
    // way). The open notes still come through workspace/applyEdit, and VS Code leaves them
    // unsaved: save those that had no unsaved changes of their own.
    const dirtyBefore = new Set(
      vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()),
    );
    const edited = new Map<string, vscode.TextDocument>();
    const listener = vscode.workspace.onDidChangeTextDocument(({ document, contentChanges }) => {
      if (contentChanges.length > 0 && !dirtyBefore.has(document.uri.toString())) {
        edited.set(document.uri.toString(), document);
      }
    });
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: GENERATE_IDS,
        arguments: [{ writeClosedNotes: true }],
      });
      await Promise.all([...edited.values()].map((document) => document.save()));
      void vscode.window.showInformationMessage(generateIdsSummary(result));
    } catch (error) {
      void vscode.window.showErrorMessage(`notels: Generate Anki IDs failed: ${errorText(error)}`);
    } finally {
      listener.dispose();
    }
  }

  private async checkVault(): Promise<void> {
    const client = await this.start();
    const provider = client?.initializeResult?.capabilities.diagnosticProvider;
    if (client !== undefined && provider !== undefined && provider.workspaceDiagnostics) {
      // The client pulls workspace diagnostics by itself every few seconds; asking once now
      // makes the server check every note before the Problems panel opens.
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'notels: checking the vault' },
        async () => {
          try {
            await client.sendRequest(WorkspaceDiagnosticRequest.type, {
              identifier: provider.identifier,
              previousResultIds: [],
            });
          } catch (error) {
            this.output.appendLine(`[notels] workspace/diagnostic failed: ${errorText(error)}`);
          }
        },
      );
    }
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    this.status.scheduleRefresh(0);
  }

  dispose(): void {
    this.waiting?.dispose();
    vscode.Disposable.from(...this.disposables, this.status, this.output).dispose();
  }
}

function isNote(document: vscode.TextDocument): boolean {
  return document.languageId === 'markdown' && document.uri.scheme === 'file';
}

/** A workspace folder that is (or lies in) a vault, an open note in one, or a vault below. */
async function isVaultWorkspace(): Promise<boolean> {
  const exists = (file: string): boolean => fs.existsSync(file);
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme === 'file' && findVaultRoot(folder.uri.fsPath, exists) !== undefined) {
      return true;
    }
  }
  for (const document of vscode.workspace.textDocuments) {
    if (isNote(document) && findVaultRoot(path.dirname(document.uri.fsPath), exists) !== undefined) {
      return true;
    }
  }
  if ((vscode.workspace.workspaceFolders ?? []).length === 0) {
    return false;
  }
  const below = await vscode.workspace.findFiles('**/{.notels.toml,.obsidian/*}', '**/node_modules/**', 1);
  return below.length > 0;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

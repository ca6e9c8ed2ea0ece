// The status bar item: indexing progress, then the vault's cards and problems.

import * as vscode from 'vscode';
import {
  FeatureState,
  LanguageClient,
  ProgressToken,
  StaticFeature,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { ProgressPart } from 'vscode-languageclient/lib/common/progressPart';

import {
  StatusView,
  VAULT_STATUS_REQUEST,
  diagnosticsView,
  failedView,
  indexingView,
  isIndexingToken,
  isVaultStatus,
  startingView,
  uncheckedNotes,
  vaultView,
} from './status';

const REFRESH_DELAY_MS = 400;
const RETRY_DELAY_MS = 5_000;
const METHOD_NOT_FOUND = -32601;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private vaultStatusSupported = true;
  private readonly indexing = new Map<ProgressToken, StatusView>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing = false;
  private refreshAgain = false;
  private checking: LanguageClient | undefined; // whose full vaultStatus request is running

  constructor() {
    this.item = vscode.window.createStatusBarItem('notels.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'notels';
    this.disposables.push(
      this.item,
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleRefresh()),
    );
  }

  starting(): void {
    this.checking = undefined;
    this.client = undefined;
    this.indexing.clear();
    this.show(startingView(), 'notels.showOutput');
  }

  failed(message: string): void {
    this.checking = undefined;
    this.client = undefined;
    this.indexing.clear();
    this.show(failedView(message), 'notels.showOutput');
  }

  /** The client is running: from now on the item follows the server. */
  attach(client: LanguageClient): void {
    this.client = client;
    this.vaultStatusSupported = true;
    this.scheduleRefresh(0);
  }

  detach(): void {
    this.checking = undefined;
    this.client = undefined;
    this.indexing.clear();
    this.item.hide();
  }

  /** A feature to register on each new client, before `start()`. */
  progressFeature(client: LanguageClient): StaticFeature {
    return new IndexingProgress(client, this);
  }

  indexingChanged(token: ProgressToken, view: StatusView | undefined): void {
    if (view === undefined) {
      this.indexing.delete(token);
      this.scheduleRefresh(0);
    } else {
      this.indexing.set(token, view);
      this.show(view, 'notels.showOutput');
    }
  }

  scheduleRefresh(delay = REFRESH_DELAY_MS): void {
    if (this.client === undefined) {
      return;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        await this.refreshOnce();
      } while (this.refreshAgain);
    } finally {
      this.refreshing = false;
    }
  }

  private async refreshOnce(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return;
    }
    const indexing = [...this.indexing.values()].pop();
    if (indexing !== undefined) {
      this.show(indexing, 'notels.showOutput');
      return;
    }
    if (this.vaultStatusSupported) {
      try {
        const status: unknown = await client.sendRequest(VAULT_STATUS_REQUEST, { partial: true });
        if (isVaultStatus(status) && this.client === client && this.indexing.size === 0) {
          this.show(vaultView(status), 'notels.checkVault');
          // While indexing, findings are not kept: the end of the run refreshes the bar.
          if (uncheckedNotes(status) > 0 && status.indexing !== true) {
            this.checkTheRest(client);
          }
          return;
        }
      } catch (error) {
        if ((error as { code?: unknown }).code === METHOD_NOT_FOUND) {
          this.vaultStatusSupported = false; // an older server: count diagnostics instead
        } else if (this.client !== client) {
          return;
        }
      }
    }
    if (this.client === client && this.indexing.size === 0) {
      this.show(diagnosticsView(...countDiagnostics()), 'notels.checkVault');
    }
  }

  /**
   * A partial answer left notes out: a full request checks them (beside VS Code's own pull of
   * the workspace's diagnostics, which shares the server's cache), and the bar then asks again.
   * Meanwhile each batch of diagnostics VS Code receives refreshes the counts so far.
   */
  private checkTheRest(client: LanguageClient): void {
    if (this.checking === client) {
      return;
    }
    this.checking = client;
    const settled = (): void => {
      if (this.checking === client) {
        this.checking = undefined;
        this.scheduleRefresh();
      }
    };
    // A refresh after the usual delay, not at once: edits that change closed notes leave some
    // unchecked again, and each round would start another full request. After a failure, a
    // while later, not in a loop; without putting off a refresh due sooner meanwhile.
    client.sendRequest(VAULT_STATUS_REQUEST, {}).then(settled, () => {
      setTimeout(settled, RETRY_DELAY_MS);
    });
  }

  private show(view: StatusView, command: string): void {
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = command;
    this.item.show();
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

function countDiagnostics(): [number, number] {
  let errors = 0;
  let warnings = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== 'notels') {
        continue;
      }
      if (diagnostic.severity === vscode.DiagnosticSeverity.Error) {
        errors++;
      } else if (diagnostic.severity === vscode.DiagnosticSeverity.Warning) {
        warnings++;
      }
    }
  }
  return [errors, warnings];
}

/**
 * Shows the server's indexing progress (`notels-index-*` tokens) in the status bar item instead
 * of a notification; any other work-done progress gets the client's usual UI. Registered after
 * the client's built-in progress feature, so its handler for `window/workDoneProgress/create`
 * replaces that one on every (re)start.
 */
class IndexingProgress implements StaticFeature {
  private readonly active = new Map<ProgressToken, vscode.Disposable>();

  constructor(
    private readonly client: LanguageClient,
    private readonly status: StatusBar,
  ) {}

  fillClientCapabilities(): void {
    // The built-in progress feature already announces window.workDoneProgress.
  }

  getState(): FeatureState {
    return { kind: 'static' };
  }

  initialize(): void {
    this.client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      if (isIndexingToken(token)) {
        this.track(token);
      } else {
        new ProgressPart(this.client, token);
      }
    });
  }

  private track(token: ProgressToken): void {
    let title = 'notels: indexing';
    const listener = this.client.onProgress(
      WorkDoneProgress.type,
      token,
      (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
        switch (value.kind) {
          case 'begin':
            title = value.title;
            this.status.indexingChanged(token, indexingView(title, value.message, value.percentage));
            break;
          case 'report':
            this.status.indexingChanged(token, indexingView(title, value.message, value.percentage));
            break;
          case 'end':
            this.finish(token);
            break;
        }
      },
    );
    this.active.set(token, listener);
    this.status.indexingChanged(token, indexingView(title));
  }

  private finish(token: ProgressToken): void {
    this.active.get(token)?.dispose();
    this.active.delete(token);
    this.status.indexingChanged(token, undefined);
  }

  clear(): void {
    for (const token of [...this.active.keys()]) {
      this.finish(token);
    }
  }
}

// A language client that stays quiet until its server runs. A server that cannot start (a
// virtualenv without pygls, a crash at import) made vscode-languageclient show four or five
// error notifications (couldn't create connection, write EPIPE, restarting failed), none naming
// why, and start it again; the extension shows one, with the last line the server printed.

import type * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const TAIL_CHARS = 4000;

export class QuietClient extends LanguageClient {
  private running = false;
  private tail = '';

  constructor(serverOptions: ServerOptions, clientOptions: LanguageClientOptions, output: vscode.OutputChannel) {
    // The handlers run once the constructor is done: they reach the client through `self`.
    const self: { client?: QuietClient } = {};
    const errorHandler: ErrorHandler = {
      error: (error, message, count) =>
        self.client?.running
          ? self.client.fallback.error(error, message, count)
          : { action: ErrorAction.Shutdown, handled: true },
      closed: () =>
        self.client?.running ? self.client.fallback.closed() : { action: CloseAction.DoNotRestart, handled: true },
    };
    super('notels', 'notels', serverOptions, {
      ...clientOptions,
      outputChannel: recording(output, (text) => self.client?.record(text)),
      errorHandler,
      initializationFailedHandler: () => false,
    });
    self.client = this;
    // The client starts a crashed server again by itself: that start is as quiet as the first
    // (a server that cannot start any more gave five notifications, none naming why).
    this.onDidChangeState(({ newState }) => {
      if (newState === State.Starting) {
        this.running = false;
        this.tail = '';
      } else if (newState === State.Running) {
        this.markRunning();
      }
    });
  }

  private readonly fallback: ErrorHandler = this.createDefaultErrorHandler();

  /** The server answered `initialize`: from now on the client's own handling and messages. */
  markRunning(): void {
    this.running = true;
    this.tail = '';
  }

  /** What the server printed on stderr while it was starting; its
   * connection may fail before that output is read, so it is waited for a little. */
  async startOutput(waitMs = 1000): Promise<string> {
    const until = Date.now() + waitMs;
    while (!this.tail.trim() && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.tail;
  }

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    super.error(message, data, this.running ? showNotification : false);
  }

  private record(text: string): void {
    if (!this.running) {
      this.tail = (this.tail + text).slice(-TAIL_CHARS);
    }
  }
}

/** `channel`, with the server's output also given to `record`: the client appends what the
 * server prints as it comes, and its own log as lines (appendLine). */
function recording(channel: vscode.OutputChannel, record: (text: string) => void): vscode.OutputChannel {
  return new Proxy(channel, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (value: string) => {
          record(value);
          target.append(value);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// The component's behaviour, with its collaborators injected so that tests can drive it: the
// Streamlit bridge, fetch, EventSource and the clock.
import { statusFrom, type ComponentEvent, type ErrorData, type SessionAnswer, type StatusData } from "./payload";
import { View, type Action } from "./view";

export const LAUNCH_HEADER = "X-Desklit-Launch";

export interface Bridge {
  setComponentValue(value: unknown): void;
  setFrameHeight(height?: number): void;
}

export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  onerror: ((ev: Event) => void) | null;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export interface Theme {
  base: string;
  primaryColor: string;
  backgroundColor: string;
  secondaryBackgroundColor: string;
  textColor: string;
  font: string;
}

export interface Args {
  launch_token?: string;
  api_url?: string;
  actions?: Action[];
  /** The app's require_sign_in(): its API refused the token, so sign-in is offered again. */
  signin_required?: boolean;
}

export interface Deps {
  root: HTMLElement;
  bridge: Bridge;
  fetch: typeof fetch;
  eventSource: EventSourceFactory;
  now?: () => number;
  /** base is the component server's origin; "" means this page's own (same-origin). */
  base?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class AuthComponent {
  private readonly view: View;
  private readonly now: () => number;
  private readonly base: string;
  private token = "";
  private started = false;
  private actions: Action[] = [];
  private disabled = false;
  private signinRequired = false;
  private phase: "connecting" | "ready" | "unavailable" = "connecting";
  private session: SessionAnswer | null = null;
  private busy: "login" | "logout" | null = null;
  private error: string | null = null;
  private seq = 0;
  private lastStatus = "";
  private source: EventSourceLike | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private backoff: number;
  private connection = 0; // bumps on every (re)connect, so stale callbacks are ignored
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private resize: ResizeObserver | null = null;

  constructor(private readonly deps: Deps) {
    this.now = deps.now ?? Date.now;
    this.base = deps.base ?? "";
    this.backoff = deps.minBackoffMs ?? 500;
    this.view = new View(deps.root, {
      onLogin: () => void this.act("login"),
      onLogout: () => void this.act("logout"),
      onAction: (a) => this.requestAction(a),
    });
    if (typeof ResizeObserver !== "undefined") {
      this.resize = new ResizeObserver(() => this.deps.bridge.setFrameHeight());
      this.resize.observe(deps.root);
    }
    this.ticker = setInterval(() => this.view.tick(this.now()), 1000);
    this.paint();
  }

  /** render handles a Streamlit render event: new args, theme or disabled state. */
  render(args: Args, theme?: Theme, disabled = false): void {
    this.actions = Array.isArray(args.actions) ? args.actions.filter((a) => a && typeof a.label === "string") : [];
    this.disabled = disabled;
    this.signinRequired = args.signin_required === true;
    if (theme) applyTheme(this.deps.root, theme);
    const token = typeof args.launch_token === "string" ? args.launch_token : "";
    if (!this.started || token !== this.token) {
      this.started = true;
      this.token = token;
      this.connect();
    }
    this.paint();
  }

  dispose(): void {
    this.disconnect();
    if (this.ticker) clearInterval(this.ticker);
    this.resize?.disconnect();
  }

  private connect(): void {
    this.disconnect();
    const conn = ++this.connection;
    if (!this.token) {
      this.phase = "unavailable";
      this.session = null;
      this.error = "This page was not opened by Desklit, so it cannot see the session.";
      this.emitError({ message: this.error, error: "missing_launch_token" });
      this.paint();
      return;
    }
    this.phase = "connecting";
    this.error = null;
    void this.openStream(conn);
  }

  private disconnect(): void {
    this.source?.close();
    this.source = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private async openStream(conn: number): Promise<void> {
    let ticket: string;
    try {
      const answer = await this.call<{ ticket: string }>("POST", "/api/events/ticket");
      ticket = answer.ticket;
    } catch (err) {
      if (conn !== this.connection) return;
      if (err instanceof HttpError && err.status === 403) {
        this.phase = "unavailable";
        this.session = null;
        this.error = "Desklit refused this page's launch token. Open the app from Desklit.";
        this.emitError({ message: this.error, error: "launch_token_refused" });
        this.paint();
        return; // retrying cannot help
      }
      this.fail("Cannot reach the Desklit component server", err);
      this.scheduleReconnect(conn);
      return;
    }
    if (conn !== this.connection) return;
    const es = this.deps.eventSource(`${this.base}/api/events?ticket=${encodeURIComponent(ticket)}`);
    this.source = es;
    es.addEventListener("changed", () => {
      if (conn !== this.connection) return;
      this.backoff = this.deps.minBackoffMs ?? 500;
      void this.refresh();
    });
    es.onerror = () => {
      // The ticket is spent, so the browser's own retry would be refused: start over.
      if (conn !== this.connection) return;
      es.close();
      this.source = null;
      this.scheduleReconnect(conn);
    };
  }

  private scheduleReconnect(conn: number): void {
    if (conn !== this.connection || this.retry) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.deps.maxBackoffMs ?? 10_000);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (conn !== this.connection) return;
      const next = ++this.connection;
      void this.openStream(next);
    }, wait);
  }

  /** refresh fetches the session after a pushed change; changes during a fetch fetch again. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const token = this.token;
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          const s = await this.call<SessionAnswer>("GET", "/api/session");
          if (token !== this.token) return; // a new launch token: its own stream will refresh
          this.session = s;
          this.phase = "ready";
          this.error = null;
          this.emitStatus(statusFrom(s));
        } catch (err) {
          this.fail("Cannot read the session", err);
        }
        this.paint();
      } while (this.refreshAgain);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async act(what: "login" | "logout"): Promise<void> {
    if (this.busy || !this.token) return;
    this.busy = what;
    this.error = null;
    this.paint();
    try {
      await this.call("POST", `/api/${what}`);
      // The new session arrives as a pushed change.
    } catch (err) {
      this.fail(what === "login" ? "Sign-in failed" : "Sign-out failed", err);
    } finally {
      this.busy = null;
      this.paint();
    }
  }

  private requestAction(a: Action): void {
    const { label: _label, ...data } = a;
    this.send({ event: "onActionRequest", seq: this.nextSeq(), data });
  }

  private fail(what: string, err: unknown): void {
    const detail = err instanceof Error ? err.message : String(err);
    const code = err instanceof HttpError ? err.code : "network_error";
    this.error = `${what}: ${detail}`;
    this.emitError({ message: this.error, error: code });
    this.paint();
  }

  private emitStatus(data: StatusData): void {
    const key = JSON.stringify(data);
    if (key === this.lastStatus) return; // nothing new for Python: no rerun
    this.lastStatus = key;
    this.send({ event: "onStatusUpdate", seq: this.nextSeq(), data });
  }

  private emitError(data: ErrorData): void {
    this.lastStatus = ""; // the next status is news again
    this.send({ event: "onError", seq: this.nextSeq(), data });
  }

  private send(ev: ComponentEvent): void {
    this.deps.bridge.setComponentValue(ev);
  }

  /** nextSeq is strictly increasing and, being clock-based, keeps increasing across reloads. */
  private nextSeq(): number {
    this.seq = Math.max(this.seq + 1, Math.floor(this.now()));
    return this.seq;
  }

  private async call<T>(method: "GET" | "POST", path: string): Promise<T> {
    const resp = await this.deps.fetch(`${this.base}${path}`, {
      method,
      headers: { [LAUNCH_HEADER]: this.token, Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
    let body: unknown = null;
    try {
      body = await resp.json();
    } catch {
      body = null;
    }
    if (!resp.ok) {
      const b = (body ?? {}) as { code?: string; description?: string };
      throw new HttpError(resp.status, b.code ?? `http_${resp.status}`, b.description ?? `HTTP ${resp.status}`);
    }
    return body as T;
  }

  private paint(): void {
    this.view.render(
      {
        phase: this.phase,
        session: this.session,
        busy: this.busy,
        error: this.error,
        actions: this.actions,
        disabled: this.disabled,
        signinRequired: this.signinRequired,
      },
      this.now(),
    );
    this.deps.bridge.setFrameHeight();
  }
}

/** applyTheme maps Streamlit's theme to the CSS variables the stylesheet uses. */
export function applyTheme(root: HTMLElement, t: Theme): void {
  const set = (name: string, value: string | undefined) => {
    if (value) root.style.setProperty(name, value);
  };
  root.dataset.theme = t.base === "dark" ? "dark" : "light";
  set("--dl-fg", t.textColor);
  set("--dl-bg", t.backgroundColor);
  set("--dl-bg2", t.secondaryBackgroundColor);
  set("--dl-primary", t.primaryColor);
  set("--dl-font", t.font);
}

// What the component's tests share: a fake component server and event stream, and an
// AuthComponent mounted on them with a clock the test moves (setup).

import { vi } from "vitest";
import { AuthComponent, type EventSourceLike } from "./controller";
import type { ComponentEvent, SessionAnswer } from "./payload";

export const TOKEN = "launch-secret-0123456789abcdef";
export const NOW = Date.parse("2026-11-27T12:00:00Z");

export const signedIn: SessionAnswer = {
  signed_in: true,
  hostname: "127.0.0.1:3001",
  user: { sub: "auth0|ada", name: "Ada Analyst", email: "ada@example.test" },
  access_token: "ACCESS.TOKEN.VALUE",
  id_token: "ID.TOKEN.VALUE",
  expiry: "2026-11-27T12:30:00Z",
};
export const signedOut: SessionAnswer = { signed_in: false, hostname: "127.0.0.1:3001" };

export class FakeEventSource implements EventSourceLike {
  static all: FakeEventSource[] = [];
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.closed = true;
  }
  push(): void {
    const ev = new MessageEvent("changed", { data: "{}" });
    for (const fn of this.listeners.get("changed") ?? []) fn(ev);
  }
  fail(): void {
    this.onerror?.(new Event("error"));
  }
}

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** A fake component server: routes by path, records every call. */
export function fakeServer() {
  const calls: Call[] = [];
  let session: SessionAnswer | (() => Response) = signedOut;
  let ticketStatus = 200;
  let loginStatus = 200;
  let n = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    calls.push({ method, url, headers: (init?.headers ?? {}) as Record<string, string> });
    if (url === "/api/events/ticket" && method === "POST") {
      return ticketStatus === 200 ? json(200, { ticket: `ticket-${++n}`, expires_in: 30 }) : json(ticketStatus, { code: "forbidden", description: "no" });
    }
    if (url === "/api/session") return typeof session === "function" ? session() : json(200, session);
    if (url === "/api/login" || url === "/api/logout") {
      return loginStatus === 200 ? json(200, { ok: true }) : json(loginStatus, { code: "login_failed", description: "the user cancelled" });
    }
    return json(404, { code: "not_found", description: "no such endpoint" });
  });
  return {
    calls,
    fetch: fetch as unknown as typeof globalThis.fetch,
    setSession(s: SessionAnswer | (() => Response)) {
      session = s;
    },
    setTicketStatus(s: number) {
      ticketStatus = s;
    },
    setLoginStatus(s: number) {
      loginStatus = s;
    },
  };
}

export function setup(args: Record<string, unknown> = { launch_token: TOKEN, api_url: "http://127.0.0.1:8888" }) {
  const server = fakeServer();
  const root = document.createElement("main");
  document.body.replaceChildren(root);
  const values: ComponentEvent[] = [];
  const bridge = {
    setComponentValue: vi.fn((v: unknown) => values.push(v as ComponentEvent)),
    setFrameHeight: vi.fn(),
  };
  let now = NOW;
  const c = new AuthComponent({
    root,
    bridge,
    fetch: server.fetch,
    eventSource: (url) => new FakeEventSource(url),
    now: () => now,
    minBackoffMs: 10,
    maxBackoffMs: 40,
  });
  c.render(args);
  return {
    c,
    server,
    root,
    values,
    bridge,
    advance(ms: number) {
      now += ms;
    },
    text: () => root.textContent ?? "",
    button: () => root.querySelector<HTMLButtonElement>(".dl-controls > .dl-button")!,
    stream: () => FakeEventSource.all[FakeEventSource.all.length - 1],
  };
}

export async function settle() {
  await vi.waitFor(() => undefined);
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LAUNCH_HEADER } from "./controller";
import { FakeEventSource, NOW, TOKEN, settle, setup, signedIn, signedOut } from "./testkit";

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AuthComponent", () => {
  it("turns a pushed change into an onStatusUpdate with the original payload", async () => {
    const t = setup();
    await settle();
    expect(t.stream().url).toBe("/api/events?ticket=ticket-1");
    expect(t.stream().url).not.toContain(TOKEN);
    expect(t.server.calls[0]).toMatchObject({ method: "POST", url: "/api/events/ticket" });
    expect(t.server.calls[0].headers[LAUNCH_HEADER]).toBe(TOKEN);

    t.server.setSession(signedIn);
    t.stream().push();
    await settle();

    const sessionCall = t.server.calls.find((c) => c.url === "/api/session")!;
    expect(sessionCall.headers[LAUNCH_HEADER]).toBe(TOKEN);
    const last = t.values[t.values.length - 1];
    expect(last).toEqual({
      event: "onStatusUpdate",
      seq: expect.any(Number),
      data: {
        hostname: "127.0.0.1:3001",
        message: "Signed in as Ada Analyst",
        isError: false,
        error: null,
        sessioninfo: {
          user: { user: "auth0|ada", name: "Ada Analyst", email: "ada@example.test" },
          token: { value: "ACCESS.TOKEN.VALUE", value_id_token: "ID.TOKEN.VALUE", expiry: "2026-11-27T12:30:00Z" },
        },
      },
    });
    expect(t.text()).toContain("Signed in as Ada Analyst");
    expect(t.text()).toContain("ada@example.test");
    expect(t.text()).toContain("Token expires in 30m 00s");
    expect(t.button().textContent).toBe("Log out");
    expect(t.bridge.setFrameHeight).toHaveBeenCalled();
  });

  it("sends the signed-out state with sessioninfo null", async () => {
    const t = setup();
    await settle();
    t.stream().push();
    await settle();
    const last = t.values[t.values.length - 1];
    expect(last).toMatchObject({
      event: "onStatusUpdate",
      data: { message: "Signed out", isError: false, error: null, sessioninfo: null },
    });
    expect(t.text()).toContain("Not signed in");
    expect(t.root.querySelector<HTMLElement>(".dl-expiry")!.hidden).toBe(true);
    expect(t.button().textContent).toBe("Log in");
  });

  it("sends a status only when it changed, with an increasing seq", async () => {
    const t = setup();
    await settle();
    t.stream().push();
    await settle();
    t.stream().push(); // the same signed-out state again: no rerun for Python
    await settle();
    expect(t.values.filter((v) => v.event === "onStatusUpdate")).toHaveLength(1);
    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    t.server.setSession(signedOut);
    t.stream().push();
    await settle();
    const seqs = t.values.map((v) => v.seq);
    expect(seqs).toHaveLength(3);
    expect(seqs[1]).toBeGreaterThan(seqs[0]);
    expect(seqs[2]).toBeGreaterThan(seqs[1]);
    expect(seqs[0]).toBeGreaterThanOrEqual(NOW); // clock-based: keeps increasing across reloads
  });

  it("sends onError when the session cannot be read", async () => {
    const t = setup();
    await settle();
    t.server.setSession(
      () => new Response(JSON.stringify({ code: "session_unavailable", description: "the keyring is locked" }), { status: 503 }),
    );
    t.stream().push();
    await settle();
    const last = t.values[t.values.length - 1];
    expect(last).toMatchObject({
      event: "onError",
      data: { message: "Cannot read the session: the keyring is locked", error: "session_unavailable" },
    });
    expect(t.root.querySelector("[role=alert]")!.textContent).toContain("the keyring is locked");
  });

  it("sends onError and never asks for the session without a launch token", async () => {
    const t = setup({ api_url: "http://127.0.0.1:8888" });
    await settle();
    expect(t.server.calls).toHaveLength(0);
    expect(FakeEventSource.all).toHaveLength(0);
    expect(t.values).toEqual([
      { event: "onError", seq: expect.any(Number), data: { message: expect.stringContaining("not opened by Desklit"), error: "missing_launch_token" } },
    ]);
    expect(t.button().disabled).toBe(true);
  });

  it("sends onError when the server refuses the launch token, and stops", async () => {
    const server403 = setup({ launch_token: "wrong-token" });
    await settle();
    // the first ticket went through the default fake (200); refuse from now on and reconnect
    server403.server.setTicketStatus(403);
    server403.stream().fail();
    await new Promise((r) => setTimeout(r, 30));
    await settle();
    const last = server403.values[server403.values.length - 1];
    expect(last).toMatchObject({ event: "onError", data: { error: "launch_token_refused" } });
    const tickets = server403.server.calls.filter((c) => c.url === "/api/events/ticket").length;
    await new Promise((r) => setTimeout(r, 60));
    expect(server403.server.calls.filter((c) => c.url === "/api/events/ticket").length).toBe(tickets);
  });

  it("reopens the stream with a new ticket after an error", async () => {
    const t = setup();
    await settle();
    const first = t.stream();
    first.fail();
    expect(first.closed).toBe(true);
    await vi.waitFor(() => expect(FakeEventSource.all).toHaveLength(2), { timeout: 1000 });
    expect(t.stream().url).toBe("/api/events?ticket=ticket-2");
    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    expect(t.values[t.values.length - 1]).toMatchObject({ event: "onStatusUpdate", data: { message: "Signed in as Ada Analyst" } });
  });

  it("posts sign-in and sign-out with the launch header, and reports a failed sign-in", async () => {
    const t = setup();
    await settle();
    t.stream().push();
    await settle();
    t.button().click();
    expect(t.button().textContent).toBe("Signing in…");
    expect(t.button().disabled).toBe(true);
    await settle();
    const login = t.server.calls.find((c) => c.url === "/api/login")!;
    expect(login).toMatchObject({ method: "POST" });
    expect(login.headers[LAUNCH_HEADER]).toBe(TOKEN);
    expect(t.button().textContent).toBe("Log in"); // the session arrives as a pushed change

    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    t.button().click();
    await settle();
    expect(t.server.calls.some((c) => c.url === "/api/logout" && c.method === "POST")).toBe(true);

    t.server.setSession(signedOut);
    t.stream().push();
    await settle();
    t.server.setLoginStatus(502);
    t.button().click();
    await settle();
    expect(t.values[t.values.length - 1]).toMatchObject({
      event: "onError",
      data: { message: "Sign-in failed: the user cancelled", error: "login_failed" },
    });
  });

  it("offers sign-in again when the app asks for it (require_sign_in), even while signed in", async () => {
    const t = setup();
    await settle();
    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    expect(t.button().textContent).toBe("Log out");
    t.c.render({ launch_token: TOKEN, api_url: "http://127.0.0.1:8888", signin_required: true });
    expect(t.root.dataset.state).toBe("signin-required");
    expect(t.text()).toContain("refused the session of Ada Analyst");
    expect(t.button().textContent).toBe("Sign in again");
    t.button().click();
    await settle();
    expect(t.server.calls.some((c) => c.url === "/api/login" && c.method === "POST")).toBe(true);
    expect(t.server.calls.some((c) => c.url === "/api/logout")).toBe(false);
    // The app clears the request once a new session arrives: back to normal.
    t.c.render({ launch_token: TOKEN, api_url: "http://127.0.0.1:8888", signin_required: false });
    expect(t.button().textContent).toBe("Log out");
    expect(t.root.dataset.state).toBe("signed-in");
  });

  it("counts down to the expiry", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const t = setup();
    await settle();
    t.server.setSession({ ...signedIn, expiry: "2026-11-27T12:01:05Z" });
    t.stream().push();
    await settle();
    expect(t.root.querySelector("time")!.textContent).toBe("1m 05s");
    expect(t.root.querySelector("time")!.dateTime).toBe("2026-11-27T12:01:05Z");
    t.advance(60_000);
    vi.advanceTimersByTime(1000);
    expect(t.root.querySelector("time")!.textContent).toBe("5s");
    t.advance(10_000);
    vi.advanceTimersByTime(1000);
    expect(t.root.querySelector("time")!.textContent).toBe("expired");
    expect(t.root.querySelector(".dl-expiry")!.textContent).toBe("Token expired");
    t.c.dispose();
  });

  it("sends onActionRequest for a configured action", async () => {
    const t = setup({ launch_token: TOKEN, actions: [{ label: "Call the API", action: "WebRequest", url: "/api/pong", auth: "BEARER" }] });
    await settle();
    expect(t.root.querySelector(".dl-secondary")).toBeNull(); // only when signed in
    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    t.root.querySelector<HTMLButtonElement>(".dl-secondary")!.click();
    expect(t.values[t.values.length - 1]).toEqual({
      event: "onActionRequest",
      seq: expect.any(Number),
      data: { action: "WebRequest", url: "/api/pong", auth: "BEARER" },
    });
  });

  it("follows Streamlit's theme", () => {
    const t = setup();
    t.c.render({ launch_token: TOKEN }, {
      base: "dark",
      primaryColor: "#ff4b4b",
      backgroundColor: "#0e1117",
      secondaryBackgroundColor: "#262730",
      textColor: "#fafafa",
      font: "sans-serif",
    });
    expect(t.root.dataset.theme).toBe("dark");
    expect(t.root.style.getPropertyValue("--dl-fg")).toBe("#fafafa");
    expect(t.root.style.getPropertyValue("--dl-primary")).toBe("#ff4b4b");
  });

  it("never puts a token into the page's text", async () => {
    const t = setup();
    await settle();
    t.server.setSession(signedIn);
    t.stream().push();
    await settle();
    expect(t.root.innerHTML).not.toContain("ACCESS.TOKEN.VALUE");
    expect(t.root.innerHTML).not.toContain(TOKEN);
  });
});

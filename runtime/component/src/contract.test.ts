import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatRemaining, statusFrom, type ComponentEvent, type SessionAnswer } from "./payload";
import { FakeEventSource, TOKEN, settle, setup } from "./testkit";
// The session's contract, shared with the Go (app/component, app/control) and Python suites.
import contractJSON from "../../../testdata/session-contract.json";

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("formatRemaining", () => {
  it.each([
    [0, "expired"],
    [-5, "expired"],
    [999, "0s"],
    [5_000, "5s"],
    [65_000, "1m 05s"],
    [3_600_000, "1h 00m"],
    [7_380_000, "2h 03m"],
  ])("%d ms -> %s", (ms, want) => {
    expect(formatRemaining(ms)).toBe(want);
  });
});

interface ContractCase {
  now: string;
  answer: SessionAnswer;
  event: ComponentEvent;
}
const contract = contractJSON as unknown as Record<"signedIn" | "expired" | "signedOut", ContractCase> & {
  action: { arg: { label: string; action: string; [k: string]: unknown }; event: ComponentEvent };
  error: { event: ComponentEvent };
};

describe("the session contract (testdata/session-contract.json)", () => {
  for (const name of ["signedIn", "expired", "signedOut"] as const) {
    it(`turns the ${name} answer into its onStatusUpdate`, async () => {
      const c = contract[name];
      expect(statusFrom(c.answer)).toEqual(c.event.data);
      const t = setup();
      await settle();
      if (name === "signedOut") {
        t.server.setSession(contract.signedIn.answer); // so that signed out is news
        t.stream().push();
        await settle();
      }
      t.server.setSession(c.answer);
      t.stream().push();
      await settle();
      expect(t.values[t.values.length - 1]).toEqual({ ...c.event, seq: expect.any(Number) });
    });
  }

  it("sends the contract's onActionRequest", async () => {
    const t = setup({ launch_token: TOKEN, actions: [contract.action.arg] });
    await settle();
    t.server.setSession(contract.signedIn.answer);
    t.stream().push();
    await settle();
    t.root.querySelector<HTMLButtonElement>(".dl-secondary")!.click();
    expect(t.values[t.values.length - 1]).toEqual({ ...contract.action.event, seq: expect.any(Number) });
  });

  it("sends the contract's onError", async () => {
    const t = setup({ api_url: "http://127.0.0.1:8888" }); // no launch token
    await settle();
    expect(t.values[t.values.length - 1]).toEqual({ ...contract.error.event, seq: expect.any(Number) });
  });
});

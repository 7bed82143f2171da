import { beforeEach, describe, expect, it } from 'vitest';
import { Ev } from './api';
import { formatExpiry, looksRaw } from './format';
import { allReady, button, FakeApi, flush, mount, q, signedOut, svc, text, view } from './testkit';
import { UI } from './ui';

let api: FakeApi;
let root: HTMLElement;
let ui: UI;

beforeEach(async () => {
  ({ api, root, ui } = await mount());
});

describe('session', () => {
  it('signed out offers Log in', async () => {
    expect(text()).toContain('Not signed in');
    button('Log in')!.click();
    await flush();
    expect(api.calls).toContain('login');
  });

  it('signed in shows the user, the expiry and Log out', async () => {
    const exp = new Date(Date.now() + 3600_000).toISOString();
    api.emit(Ev.session, { ...signedOut(), signedIn: true, name: 'Ada Lovelace', email: 'ada@example.com', expiry: exp });
    expect(text()).toContain('Ada Lovelace');
    expect(q('.who-exp')!.textContent).toMatch(/^until /);
    expect(button('Log in')).toBeUndefined();
    button('Log out')!.click();
    await flush();
    expect(api.calls).toContain('logout');
  });

  it('a sign-in in progress disables the button', async () => {
    let finish = () => {};
    api.login = () => { api.calls.push('login'); return new Promise<void>((resolve) => { finish = resolve; }); };
    button('Log in')!.click();
    expect(button('Signing in…')!.disabled).toBe(true);
    expect(text()).toContain('Signing in…');
    finish();
    await flush();
    expect(button('Log in')!.disabled).toBe(false);
  });

  it('no keyring shows a banner that can be dismissed', () => {
    api.emit(Ev.session, { ...signedOut(), signedIn: true, name: 'Ada', storeWarning: 'No Secret Service is running.' });
    expect(q('.banner')!.textContent).toContain('will not be remembered');
    expect(q('.banner')!.textContent).toContain('No Secret Service is running.');
    (q('.banner button') as HTMLButtonElement).click();
    expect(q('.banner')).toBeNull();
  });
});

describe('services', () => {
  it.each([
    ['Starting', 'state-starting', 'Starting'],
    ['Ready', 'state-ready', 'Ready'],
    ['Backoff', 'state-backoff', 'Restarting'],
    ['Failed', 'state-failed', 'Failed'],
    ['Unhealthy', 'state-unhealthy', 'Not responding'],
  ])('%s has its own pill', (state, cls, word) => {
    api.emit(Ev.services, [svc('api', state, { pid: 7, cpuPercent: 2.25, rssBytes: 20 << 20, restarts: 2 })]);
    const pill = q('.pill')!;
    expect(pill.classList.contains(cls)).toBe(true);
    expect(pill.textContent).toContain('API');
    expect(q('.pill-state')!.textContent).toBe(word);
    expect(pill.title).toContain('CPU 2.3 %');
    expect(pill.title).toContain('Memory 20 MB');
    expect(pill.title).toContain('2 restarts');
  });

  it('an unhealthy service says why in its tooltip', () => {
    api.emit(Ev.services, [svc('api', 'Unhealthy', { pid: 7, reason: 'health check failed 3 times in a row', lastError: 'health check failed 3 times in a row' })]);
    expect(q('.pill')!.title).toContain('API: Not responding');
    expect(q('.pill')!.title).toContain('health check failed 3 times in a row');
  });

  it('high CPU shows a badge and a banner that restarts the service', async () => {
    api.emit(Ev.services, allReady());
    expect(q('.pill .badge')).toBeNull();
    const busy = allReady().map((s) => (s.name === 'streamlit' ? { ...s, cpuPercent: 99.4, cpuHigh: true } : s));
    api.emit(Ev.services, busy);
    const badge = q('.pill[data-service="streamlit"] .badge')!;
    expect(badge.textContent).toBe('CPU');
    expect(q('.banner.cpu')!.textContent).toContain('App has used 99 % CPU for a while');
    (q('.banner.cpu button[data-action="restart:streamlit"]') as HTMLButtonElement).click();
    await flush();
    expect(api.calls).toContain('restart:streamlit');
  });

  it('the CPU banner can be dismissed until the CPU falls and rises again', () => {
    const busy = () => allReady().map((s) => (s.name === 'streamlit' ? { ...s, cpuPercent: 99, cpuHigh: true } : s));
    api.emit(Ev.services, busy());
    button('Dismiss')!.click();
    expect(q('.banner.cpu')).toBeNull();
    api.emit(Ev.services, busy());
    expect(q('.banner.cpu')).toBeNull();
    expect(q('.pill .badge')).not.toBeNull(); // the pill still says so
    api.emit(Ev.services, allReady());
    api.emit(Ev.services, busy());
    expect(q('.banner.cpu')).not.toBeNull();
  });

  it("an app's own service gets a pill, a log tab and a restart by its name", async () => {
    api.emit(Ev.services, [...allReady(), svc('notes-api', 'Ready', { pid: 9 })]);
    const pill = q('.pill[data-service="notes-api"]') as HTMLButtonElement;
    expect(pill.textContent).toContain('notes-api');
    pill.click();
    button('Restart notes-api')!.click();
    await flush();
    expect(api.calls).toContain('restart:notes-api');
    await ui.showLogs('notes-api');
    expect([...root.querySelectorAll('.tab')].map((t) => t.textContent)).toContain('notes-api');
  });

  it('restarts a service from its pill', async () => {
    api.emit(Ev.services, allReady());
    (q('.pill[data-service="api"]') as HTMLButtonElement).click();
    button('Restart API')!.click();
    await flush();
    expect(api.calls).toContain('restart:api');
  });

  it('shows a starting screen until the app is ready, then the app in a frame', () => {
    api.emit(Ev.services, [svc('streamlit', 'Starting'), svc('api', 'Ready')]);
    expect(view()).toBe('starting');
    expect(q('iframe')).toBeNull();
    api.emit(Ev.appUrl, 'http://127.0.0.1:4010/?desklit_token=s');
    api.emit(Ev.services, allReady());
    expect(view()).toBe('app');
    expect(q('iframe')!.getAttribute('src')).toBe('http://127.0.0.1:4010/?desklit_token=s');
    expect(button('Open in browser')!.disabled).toBe(false);
  });

  it('keeps the same frame while the logs are shown', async () => {
    api.emit(Ev.appUrl, 'http://127.0.0.1:4010/');
    api.emit(Ev.services, allReady());
    const frame = q('iframe');
    await ui.showLogs('streamlit');
    expect(view()).toBe('logs');
    api.emit(Ev.view, 'app');
    expect(q('iframe')).toBe(frame);
  });
});

describe('first run', () => {
  it('shows step, package n of N, a bar, and cancels', async () => {
    api.emit(Ev.progress, { step: 'Installing packages', package: 'pandas', n: 3, total: 12, percent: 25, message: 'offline', done: false });
    expect(view()).toBe('progress');
    expect(text()).toContain('Installing packages');
    expect(text()).toContain('Package 3 of 12: pandas');
    expect((q('.bar-inner') as HTMLElement).style.width).toBe('25%');
    expect(q('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('25');
    button('Cancel')!.click();
    await flush();
    expect(api.calls).toContain('cancelStart');
    api.emit(Ev.progress, { step: '', package: '', n: 0, total: 0, percent: 100, message: '', done: true });
    expect(view()).toBe('starting');
  });

  it('retries after a failed build, with the error shown', async () => {
    api.emit(Ev.error, { kind: 'runtime_build', title: '', message: 'Installing streamlit did not finish.', detail: 'pip exited with status 1', service: '', actions: ['retry'] });
    expect(view()).toBe('error');
    expect(text()).toContain('Setting up the app did not finish');
    expect(text()).toContain('Installing streamlit did not finish.');
    button('Try again')!.click();
    await flush();
    expect(api.calls).toContain('act:retry');
    expect(view()).not.toBe('error');
  });
});

describe('snapshot', () => {
  it('a page loaded late shows the state sent before it', async () => {
    api.snap = {
      services: allReady(), session: { ...signedOut(), signedIn: true, name: 'Grace' }, progress: null, error: null,
      streamlitUrl: 'http://127.0.0.1:4010/?desklit_token=t', versions: {}, app: null, apps: [],
    };
    const ui2 = new UI(root, api);
    await ui2.start();
    expect(text()).toContain('Grace');
    expect(q('iframe')!.getAttribute('src')).toContain('desklit_token=t');
  });
});

describe('format', () => {
  it('expiry', () => {
    const now = new Date('2026-11-27T12:00:00');
    expect(formatExpiry('0001-01-01T00:00:00Z', now)).toBe('');
    expect(formatExpiry('2026-11-27T11:00:00', now)).toBe('session expired');
    expect(formatExpiry('2026-11-27T13:00:00', now)).toMatch(/^until /);
  });
  it('raw text', () => {
    expect(looksRaw('{"a":1}')).toBe(true);
    expect(looksRaw('Traceback (most recent call last):\n  File "x"')).toBe(true);
    expect(looksRaw('Port 8888 is in use by "python3" (pid 1).')).toBe(false);
  });
});

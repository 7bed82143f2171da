import { beforeEach, describe, expect, it } from 'vitest';
import { Ev, type Api, type AppView, type ErrorView, type ServiceView, type SessionView, type Snapshot } from './api';
import { UI } from './ui';
import { formatAgo, formatExpiry, looksRaw } from './format';

// A hand-written fake of the Go side: it records calls and lets a test push events.
class FakeApi implements Api {
  calls: string[] = [];
  handlers = new Map<string, ((d: any) => void)[]>();
  snap: Snapshot = {
    services: [], session: signedOut(), progress: null, error: null, streamlitUrl: '', versions: {}, app: null, apps: [],
  };
  chosen = ''; // what the choosers return ("" = cancelled)
  logLines: Record<string, string[]> = {};
  fail = '';
  async snapshot() { return this.snap; }
  private rec(c: string) {
    this.calls.push(c);
    return this.fail ? Promise.reject(this.fail) : Promise.resolve();
  }
  login() { return this.rec('login'); }
  logout() { return this.rec('logout'); }
  restartService(n: string) { return this.rec('restart:' + n); }
  async logs(n: string) { this.calls.push('logs:' + n); return this.logLines[n] ?? []; }
  openInBrowser() { return this.rec('openInBrowser'); }
  openLogFolder() { return this.rec('openLogFolder'); }
  async saveDiagnostics() { this.calls.push('saveDiagnostics'); return '/tmp/d.zip'; }
  copyText(t: string) { return this.rec('copy:' + t); }
  cancelStart() { return this.rec('cancelStart'); }
  act(a: string) { return this.rec('act:' + a); }
  async apps() { return this.snap.apps ?? []; }
  openApp(p: string) { return this.rec('openApp:' + p); }
  async chooseApp() { await this.rec('chooseApp'); return this.chosen; }
  async chooseScript() { await this.rec('chooseScript'); return this.chosen; }
  on(ev: string, cb: (d: any) => void) {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), cb]);
    return () => this.handlers.set(ev, (this.handlers.get(ev) ?? []).filter((f) => f !== cb));
  }
  emit(ev: string, data: unknown) { (this.handlers.get(ev) ?? []).forEach((f) => f(data)); }
}

function signedOut(): SessionView {
  return { signedIn: false, name: '', email: '', sub: '', expiry: '0001-01-01T00:00:00Z', storeWarning: '' };
}
function svc(name: string, state: string, extra: Partial<ServiceView> = {}): ServiceView {
  return { name, state, url: '', pid: 0, restarts: 0, cpuPercent: 0, rssBytes: 0, lastError: '', ...extra };
}
const allReady = () => [svc('streamlit', 'Ready', { pid: 11, cpuPercent: 1.5, rssBytes: 150 << 20 }), svc('component', 'Ready'), svc('api', 'Ready')];
const flush = () => new Promise((r) => setTimeout(r, 0));

let api: FakeApi;
let root: HTMLElement;
let ui: UI;

beforeEach(async () => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById('app')!;
  api = new FakeApi();
  ui = new UI(root, api);
  await ui.start();
});

const q = (sel: string) => root.querySelector(sel) as HTMLElement | null;
const text = () => root.textContent ?? '';
const view = () => q('main')!.dataset.view;
const button = (label: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent === label) as HTMLButtonElement | undefined;

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

const day = 24 * 3600_000;
function app(name: string, extra: Partial<AppView> = {}): AppView {
  return { name, path: `/home/ada/${name}`, script: `/home/ada/${name}/app.py`, lastOpened: new Date(Date.now() - 2 * day).toISOString(), missing: false, envReady: true, current: false, demo: false, ...extra };
}
const demo = (extra: Partial<AppView> = {}) => app('Desklit demo', { path: '', lastOpened: '0001-01-01T00:00:00Z', demo: true, ...extra });
const rows = () => [...root.querySelectorAll('.app-row')] as HTMLButtonElement[];

describe('apps', () => {
  const list = () => [
    app('Sales', { current: true }),
    app('churn', { envReady: false, lastOpened: new Date(Date.now() - 3 * 3600_000).toISOString() }),
    app('Forecast', { missing: true }),
    demo(),
  ];

  it('lists name, path, last opened, environment and missing, and opens one', async () => {
    api.emit(Ev.apps, list());
    api.emit(Ev.view, 'apps');
    expect(view()).toBe('apps');
    const [sales, churn, forecast, dm] = rows();
    expect(sales.textContent).toContain('Sales');
    expect(sales.textContent).toContain('/home/ada/Sales');
    expect(sales.textContent).toContain('Opened 2 days ago');
    expect(sales.textContent).toContain('Running');
    expect(sales.querySelector('.env')!.textContent).toBe('Environment ready');
    expect(churn.textContent).toContain('Opened 3 hours ago');
    expect(churn.querySelector('.env')!.textContent).toBe('Not built yet');
    expect(forecast.querySelector('.env')!.textContent).toBe('Missing');
    expect(forecast.disabled).toBe(true);
    expect(dm.textContent).toContain('Bundled with Desklit');
    expect(dm.querySelector('.app-when')!.textContent).toBe('');
    churn.click();
    await flush();
    expect(api.calls).toContain('openApp:/home/ada/churn');
    expect(ui.state.view).toBe('app');
  });

  it('the running app only goes back to it', async () => {
    api.emit(Ev.apps, list());
    api.emit(Ev.view, 'apps');
    rows()[0].click();
    await flush();
    expect(api.calls.filter((c) => c.startsWith('openApp'))).toEqual([]);
    expect(ui.state.view).toBe('app');
  });

  it('Open App… and Open Script… call the choosers; a cancel leaves the view', async () => {
    api.emit(Ev.view, 'apps');
    button('Open App…')!.click();
    await flush();
    button('Open Script…')!.click();
    await flush();
    expect(api.calls).toEqual(expect.arrayContaining(['chooseApp', 'chooseScript']));
    expect(view()).toBe('apps'); // both cancelled
  });

  it('the header shows the current app and opens the Apps view', () => {
    api.emit(Ev.app, app('Sales dashboard', { current: true }));
    const sw = q('.app-switch') as HTMLButtonElement;
    expect(sw.textContent).toContain('Sales dashboard');
    expect(sw.title).toContain('/home/ada/Sales dashboard');
    sw.click();
    expect(view()).toBe('apps');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(ui.state.view).toBe('app');
  });

  it('a page loaded late shows the current app from the snapshot', async () => {
    api.snap = { ...api.snap, app: app('Churn model', { current: true }), apps: [app('Churn model', { current: true }), demo()] };
    const ui2 = new UI(root, api);
    await ui2.start();
    expect(q('.app-switch')!.textContent).toContain('Churn model');
  });

  it('shows the app being opened, then reloads the frame with the new app', () => {
    api.emit(Ev.app, demo({ current: true }));
    api.emit(Ev.appUrl, 'http://127.0.0.1:4010/?desklit_token=s');
    api.emit(Ev.services, allReady());
    const frame = q('iframe') as HTMLIFrameElement;
    let loads = 0;
    Object.defineProperty(frame, 'src', { set: () => { loads++; }, get: () => 'http://127.0.0.1:4010/?desklit_token=s' });
    api.emit(Ev.opening, 'Sales');
    expect(view()).toBe('opening');
    expect(text()).toContain('Opening Sales…');
    api.emit(Ev.services, [svc('streamlit', 'Starting'), svc('component', 'Ready'), svc('api', 'Ready')]);
    api.emit(Ev.app, app('Sales', { current: true })); // a failed start sends it too: not loaded yet
    expect(loads).toBe(0);
    api.emit(Ev.services, allReady());
    expect(loads).toBe(1);
    api.emit(Ev.opening, '');
    expect(view()).toBe('app');
    expect(q('iframe')).toBe(frame);
  });

  it('the progress screen names the app whose environment is built', () => {
    api.emit(Ev.progress, { app: 'churn', step: 'Installing packages', package: 'pandas', n: 2, total: 6, percent: 33, message: '', done: false });
    expect(q('.progress-card h1')!.textContent).toBe('Setting up churn');
    expect(text()).toContain('Package 2 of 6: pandas');
    expect(button('Cancel')).toBeDefined();
    api.emit(Ev.progress, { app: '', step: 'Creating the Python environment', package: '', n: 0, total: 0, percent: 5, message: '', done: false });
    expect(q('.progress-card h1')!.textContent).toBe('Setting up Desklit');
  });

  it('app_failed shows its log lines with Retry, Show logs and Open App…', async () => {
    api.emit(Ev.error, {
      kind: 'app_failed', title: 'Quarterly report could not start', message: 'Its script stopped with an error.',
      detail: 'Traceback (most recent call last):\n  File "app.py", line 14\nSyntaxError: \'(\' was never closed',
      service: 'streamlit', actions: ['retry', 'show_logs', 'open_app'],
    });
    expect(view()).toBe('error');
    expect(q('.error-card h1')!.textContent).toBe('Quarterly report could not start');
    expect(q('pre.detail')!.textContent).toContain('SyntaxError');
    expect(q('details')).toBeNull(); // shown, not collapsed: the author needs it
    expect([...root.querySelectorAll('.error-card .actions button')].map((b) => b.textContent)).toEqual(['Try again', 'Show logs', 'Open App…']);
    button('Open App…')!.click();
    await flush();
    expect(api.calls).toContain('act:open_app');
    expect(view()).toBe('error'); // until another app runs (a cancelled chooser changes nothing)
    button('Show logs')!.click();
    await flush();
    expect(view()).toBe('logs');
    expect(ui.state.logService).toBe('streamlit');
  });

  it('formats the last opened time', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const ago = (ms: number) => formatAgo(new Date(now.getTime() - ms).toISOString(), now);
    expect(formatAgo('0001-01-01T00:00:00Z', now)).toBe('');
    expect(ago(20_000)).toBe('just now');
    expect(ago(60_000)).toBe('1 minute ago');
    expect(ago(5 * 3600_000)).toBe('5 hours ago');
    expect(ago(day + 3600_000)).toBe('yesterday');
    expect(ago(2 * day)).toBe('2 days ago');
    expect(ago(21 * day)).toBe('3 weeks ago');
    expect(ago(400 * day)).toMatch(/2025/);
  });
});

describe('errors', () => {
  const err = (e: Partial<ErrorView>): ErrorView => ({ kind: 'other', title: '', message: '', detail: '', service: '', actions: null, ...e });

  it.each([
    ['port_in_use', 'A port Desklit needs is in use', 'never stops a program it did not start'],
    ['no_python', 'Python was not found', 'DESKLIT_PYTHON'],
    ['crash_loop', 'A service keeps stopping', 'last lines of output'],
    ['runtime_build', 'Setting up the app did not finish', 'Try again'],
    ['other', 'Something went wrong', ''],
  ])('%s explains itself and offers actions', (kind, title, help) => {
    api.emit(Ev.error, err({ kind, message: 'A plain sentence.' }));
    expect(view()).toBe('error');
    expect(q('.error-card h1')!.textContent).toBe(title);
    expect(text()).toContain('A plain sentence.');
    if (help) expect(text()).toContain(help);
    expect(button('Try again')).toBeDefined(); // default action
    expect(button('Show logs')).toBeDefined();
  });

  it('does not repeat what the message already says', () => {
    api.emit(Ev.error, err({ kind: 'port_in_use', message: 'Port 9010 is used by x (pid 1). Desklit does not stop programs it did not start.' }));
    expect(text().match(/did not start/g)).toHaveLength(1);
  });

  it('port in use offers another port for the service', async () => {
    api.emit(Ev.error, err({ kind: 'port_in_use', service: 'api', message: '"python3" (pid 4242) is using port 8888.', actions: ['use_port:8889', 'quit'] }));
    expect(text()).toContain('pid 4242');
    button('Use port 8889 instead')!.click();
    await flush();
    expect(api.calls).toContain('act:use_port:8889');
  });

  it('crash loop shows the last log lines and Restart', async () => {
    api.emit(Ev.error, err({ kind: 'crash_loop', service: 'api', message: 'The API stopped 5 times.', detail: 'line one\nline two', actions: ['restart:api'] }));
    expect(q('pre.detail')!.textContent).toBe('line one\nline two');
    button('Restart API')!.click();
    await flush();
    expect(api.calls).toContain('act:restart:api');
  });

  it('never shows a raw stack trace or JSON as the message', () => {
    api.emit(Ev.error, err({ kind: 'other', message: '{"error":"x"}', detail: 'goroutine 1 [running]:\nmain.main()' }));
    expect(q('.err-message')!.textContent).not.toContain('{');
    expect(q('details')).not.toBeNull(); // kept, collapsed, for a bug report
    expect((q('details') as HTMLDetailsElement).open).toBe(false);
  });

  it('a failed call shows a notice, never a raw error', async () => {
    api.fail = 'Sign-in did not complete: the window was closed';
    button('Log in')!.click();
    await flush();
    expect(q('.toast')!.textContent).toBe('Sign-in did not complete: the window was closed');
    expect(q('.toast')!.classList.contains('error')).toBe(true);
  });
});

describe('logs', () => {
  it('loads the tail, appends live lines, filters and copies', async () => {
    api.logLines.api = ['12:00 listening', '12:01 GET /api/ping 200'];
    api.emit(Ev.services, allReady());
    await ui.showLogs('api');
    await flush();
    expect(q('pre.log')!.textContent).toBe('12:00 listening\n12:01 GET /api/ping 200\n');
    api.emit(Ev.log, { service: 'api', line: '12:02 GET /api/pong 401' });
    api.emit(Ev.log, { service: 'streamlit', line: 'other service' });
    expect(q('pre.log')!.textContent).toContain('12:02 GET /api/pong 401');
    expect(q('pre.log')!.textContent).not.toContain('other service');
    const filter = q('.log-filter') as HTMLInputElement;
    filter.value = 'pong';
    filter.dispatchEvent(new Event('input'));
    expect(q('pre.log')!.textContent).toBe('12:02 GET /api/pong 401\n');
    button('Copy')!.click();
    await flush();
    expect(api.calls).toContain('copy:12:02 GET /api/pong 401');
  });

  it('keeps the filter focused while service events arrive', async () => {
    api.emit(Ev.services, allReady());
    await ui.showLogs('api');
    const filter = q('.log-filter') as HTMLInputElement;
    filter.focus();
    api.emit(Ev.services, allReady().map((s) => ({ ...s, cpuPercent: 9 })));
    expect(document.activeElement).toBe(filter);
  });

  it('saves diagnostics and opens the log folder', async () => {
    await ui.showLogs('api');
    button('Save diagnostics…')!.click();
    button('Open log folder')!.click();
    await flush();
    expect(api.calls).toEqual(expect.arrayContaining(['saveDiagnostics', 'openLogFolder']));
    expect(q('.toast')!.textContent).toContain('/tmp/d.zip');
  });

  it('Escape goes back to the app; the menu can open the logs', async () => {
    api.emit(Ev.view, 'logs');
    await flush();
    expect(view()).toBe('logs');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(ui.state.view).toBe('app');
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



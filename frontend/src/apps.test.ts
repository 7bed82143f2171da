import { beforeEach, describe, expect, it } from 'vitest';
import { Ev } from './api';
import { formatAgo } from './format';
import { allReady, app, button, day, demo, FakeApi, flush, mount, q, rows, svc, text, view } from './testkit';
import { UI } from './ui';

let api: FakeApi;
let root: HTMLElement;
let ui: UI;

beforeEach(async () => {
  ({ api, root, ui } = await mount());
});

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

  it('a packaged app shows its name only: no Apps view to open', async () => {
    api.snap = { ...api.snap, app: app('Sales dashboard', { current: true }), apps: [app('Sales dashboard', { current: true })], singleApp: true };
    const ui2 = new UI(root, api);
    await ui2.start();
    expect(q('.app-switch')).toBeNull();
    expect(q('.brand-name')!.textContent).toBe('Sales dashboard');
    expect(q('.logo')!.textContent).toBe('S');
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

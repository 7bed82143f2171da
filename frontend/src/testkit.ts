// What the window's tests share: a hand-written fake of the Go side, a few views of it, and a UI
// mounted on a fresh page for each test (mount), with lookups into that page.

import { type Api, type AppView, type PackageRequest, type PackageTarget, type ServiceView, type SessionView, type Snapshot } from './api';
import { UI } from './ui';

// A hand-written fake of the Go side: it records calls and lets a test push events.
export class FakeApi implements Api {
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
  targets: PackageTarget[] = [];
  folder = '';
  async packageTargets() { return this.targets; }
  async packageFolder() { return this.folder; }
  async choosePackageFolder() { await this.rec('choosePackageFolder'); return this.chosen; }
  packageApp(r: PackageRequest) { return this.rec(`packageApp:${r.targets.join(',')}:${r.outDir}`); }
  openPackageFolder() { return this.rec('openPackageFolder'); }
  on(ev: string, cb: (d: any) => void) {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), cb]);
    return () => this.handlers.set(ev, (this.handlers.get(ev) ?? []).filter((f) => f !== cb));
  }
  emit(ev: string, data: unknown) { (this.handlers.get(ev) ?? []).forEach((f) => f(data)); }
}

export function signedOut(): SessionView {
  return { signedIn: false, name: '', email: '', sub: '', expiry: '0001-01-01T00:00:00Z', storeWarning: '' };
}
export function svc(name: string, state: string, extra: Partial<ServiceView> = {}): ServiceView {
  return { name, state, url: '', pid: 0, restarts: 0, cpuPercent: 0, rssBytes: 0, lastError: '', ...extra };
}
export const allReady = () => [svc('streamlit', 'Ready', { pid: 11, cpuPercent: 1.5, rssBytes: 150 << 20 }), svc('component', 'Ready'), svc('api', 'Ready')];
export const flush = () => new Promise((r) => setTimeout(r, 0));

let page: HTMLElement;

/** mount puts a fresh UI on a fresh page, on a fresh FakeApi, and starts it. */
export async function mount(): Promise<{ api: FakeApi; root: HTMLElement; ui: UI }> {
  document.body.innerHTML = '<div id="app"></div>';
  const root = document.getElementById('app')!;
  page = root;
  const api = new FakeApi();
  const ui = new UI(root, api);
  await ui.start();
  return { api, root, ui };
}

export const q = (sel: string) => page.querySelector(sel) as HTMLElement | null;
export const text = () => page.textContent ?? '';
export const view = () => q('main')!.dataset.view;
export const button = (label: string) =>
  [...page.querySelectorAll('button')].find((b) => b.textContent === label) as HTMLButtonElement | undefined;

export const day = 24 * 3600_000;
export function app(name: string, extra: Partial<AppView> = {}): AppView {
  return { name, path: `/home/ada/${name}`, script: `/home/ada/${name}/app.py`, lastOpened: new Date(Date.now() - 2 * day).toISOString(), missing: false, envReady: true, current: false, demo: false, ...extra };
}
export const demo = (extra: Partial<AppView> = {}) => app('Desklit demo', { path: '', lastOpened: '0001-01-01T00:00:00Z', demo: true, ...extra });
export const rows = () => [...page.querySelectorAll('.app-row')] as HTMLButtonElement[];

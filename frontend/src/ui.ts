// The window: header (the app's name, services, session, actions), banners, and one main view
// at a time: an error a user can act on, the first-run progress, the logs, the apps, or the
// Streamlit app.
// State changes arrive as events from Go; nothing here polls.

import { Ev, type Api, type AppView, type ErrorView, type LogLine, type ProgressView, type ServiceView, type SessionView, type Snapshot } from './api';
import { appsView } from './apps';
import { h } from './dom';
import {
  actionLabel, errorHelp, errorTitle, formatExpiry, keyringHelp, looksRaw, serviceLabel, serviceTooltip, splitAction, stateWord,
} from './format';

const maxLogLines = 5000;

export type View = 'app' | 'logs' | 'apps';

export interface State {
  services: ServiceView[];
  session: SessionView;
  progress: ProgressView | null;
  error: ErrorView | null;
  streamlitUrl: string;
  view: View;
  logService: string;
  filter: string;
  keyringDismissed: boolean;
  cpuDismissed: string[]; // services whose high-CPU banner was dismissed while their CPU stays high
  notice: { text: string; isError: boolean } | null;
  menuFor: string; // the service whose pill menu is open
  app: AppView | null; // the current app
  apps: AppView[];
  opening: string; // the name of the app being opened, "" when none
  signingIn: boolean; // Log in was pressed and the sign-in has not ended
}

const emptySession: SessionView = {
  signedIn: false, name: '', email: '', sub: '', expiry: '', storeWarning: '',
};

export class UI {
  state: State = {
    services: [], session: emptySession, progress: null, error: null, streamlitUrl: '',
    view: 'app', logService: 'streamlit', filter: '', keyringDismissed: false, cpuDismissed: [], notice: null, menuFor: '',
    app: null, apps: [], opening: '', signingIn: false,
  };
  private logs = new Map<string, string[]>();
  private frame: HTMLIFrameElement | null = null;
  private header = h('header', { class: 'bar' });
  private banners = h('div', { class: 'banners' });
  private main = h('main');
  private appPane = h('section', { class: 'pane app-pane' });
  private otherPane = h('section', { class: 'pane' });
  private toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
  private logPre: HTMLElement | null = null;
  private logEmpty: HTMLElement | null = null;
  private headerKey = '';
  private paneKey = '';
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  // reloadFrame: another app now runs on the same address; the frame loads it once Streamlit is ready.
  private reloadFrame = false;
  private unsub: (() => void)[] = [];

  constructor(private root: HTMLElement, private api: Api) {
    this.main.append(this.appPane, this.otherPane);
    root.replaceChildren(this.header, this.banners, this.main, this.toast);
    document.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('click', (e) => {
      if (this.state.menuFor && !(e.target as HTMLElement).closest?.('.pill-wrap')) this.set({ menuFor: '' });
    });
  }

  /** start subscribes to the events, then loads the state that was current before. */
  async start(): Promise<void> {
    const on = (ev: string, f: (d: any) => void) => this.unsub.push(this.api.on(ev, f));
    on(Ev.services, (s: ServiceView[]) => this.onServices(s ?? []));
    on(Ev.session, (s: SessionView) => this.set({ session: s }));
    on(Ev.progress, (p: ProgressView) => this.set({ progress: p.done ? null : p }));
    on(Ev.error, (e: ErrorView) => this.set({ error: e.kind ? e : null }));
    on(Ev.log, (l: LogLine) => this.onLog(l));
    on(Ev.view, (v: string) => this.onView(v));
    on(Ev.appUrl, (u: string) => this.set({ streamlitUrl: u }));
    on(Ev.notice, (t: string) => this.notify(t, false));
    on(Ev.app, (a: AppView) => this.onApp(a));
    on(Ev.apps, (a: AppView[]) => this.set({ apps: a ?? [] }));
    on(Ev.opening, (name: string) => this.set({ opening: name ?? '', view: name && this.state.view === 'apps' ? 'app' : this.state.view }));
    this.render();
    try {
      this.apply(await this.api.snapshot());
    } catch (err) {
      this.notify(String(errMessage(err)), true);
    }
  }

  stop(): void {
    this.unsub.forEach((u) => u());
  }

  apply(s: Snapshot): void {
    this.set({
      session: s.session ?? emptySession,
      progress: s.progress && !s.progress.done ? s.progress : null,
      error: s.error && s.error.kind ? s.error : null,
      apps: s.apps ?? [],
    });
    if (s.app) this.onApp(s.app);
    this.onServices(s.services ?? [], s.streamlitUrl);
  }

  set(patch: Partial<State>): void {
    Object.assign(this.state, patch);
    this.render();
  }

  private onServices(services: ServiceView[], url?: string): void {
    // A dismissed CPU banner comes back when the CPU falls and then stays high again.
    const cpuDismissed = this.state.cpuDismissed.filter((n) => services.some((s) => s.name === n && s.cpuHigh));
    const patch: Partial<State> = { services, cpuDismissed };
    if (url) patch.streamlitUrl = url;
    this.set(patch);
    if (this.reloadFrame && this.streamlitReady()) this.loadNewApp();
  }

  private onApp(a: AppView): void {
    const before = this.state.app;
    const other = !!before && (before.path !== a.path || before.demo !== a.demo);
    this.set({ app: a });
    if (other && this.frame) {
      this.reloadFrame = true;
      if (this.streamlitReady()) this.loadNewApp();
    }
  }

  /** loadNewApp points the frame at the new app: the address is the same, the page is not. */
  private loadNewApp(): void {
    this.reloadFrame = false;
    if (this.frame) this.frame.src = this.state.streamlitUrl;
  }

  private onLog(l: LogLine): void {
    let buf = this.logs.get(l.service);
    if (!buf) this.logs.set(l.service, (buf = []));
    buf.push(l.line);
    if (buf.length > maxLogLines) buf.splice(0, buf.length - maxLogLines);
    if (this.state.view === 'logs' && l.service === this.state.logService && this.logPre && this.matches(l.line)) {
      if (this.logPre.hidden) return this.refreshLog();
      const stick = this.atBottom();
      this.logPre.append(l.line + '\n');
      if (stick) this.logPre.scrollTop = this.logPre.scrollHeight;
    }
  }

  private onView(v: string): void {
    if (v === 'reload') {
      if (this.frame) this.frame.src = this.state.streamlitUrl;
      this.set({ view: 'app' });
    } else if (v === 'logs') {
      this.showLogs(this.state.logService);
    } else if (v === 'apps') {
      this.set({ view: 'apps', menuFor: '' });
    } else {
      this.set({ view: 'app' });
    }
  }

  async showLogs(service: string): Promise<void> {
    this.set({ view: 'logs', logService: service, menuFor: '' });
    try {
      const lines = await this.api.logs(service);
      if (lines.length) this.logs.set(service, lines.slice(-maxLogLines));
      if (this.state.view === 'logs' && this.state.logService === service) this.refreshLog();
    } catch (err) {
      this.notify(errMessage(err), true);
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      if (this.state.menuFor) this.set({ menuFor: '' });
      else if (this.state.view === 'logs' || this.state.view === 'apps') this.set({ view: 'app' });
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f' && this.state.view === 'logs') {
      e.preventDefault();
      (this.root.querySelector('.log-filter') as HTMLInputElement | null)?.focus();
    }
  }

  notify(text: string, isError: boolean): void {
    clearTimeout(this.noticeTimer);
    this.set({ notice: { text, isError } });
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), isError ? 8000 : 4000);
  }

  /** run calls the Go side, shows a failure as a notice, never as a dialog or a raw error. */
  private async run(f: () => Promise<unknown>, done?: string): Promise<void> {
    try {
      await f();
      if (done) this.notify(done, false);
    } catch (err) {
      this.notify(errMessage(err), true);
    }
  }

  // ---- rendering ----

  render(): void {
    this.renderHeader();
    this.renderBanners();
    this.renderMain();
    this.toast.className = 'toast' + (this.state.notice ? ' show' : '') + (this.state.notice?.isError ? ' error' : '');
    this.toast.textContent = this.state.notice?.text ?? '';
  }

  private renderHeader(): void {
    const { services, session, view, signingIn } = this.state;
    // Rebuild only when something shown changed, so a hover or a focus survives other events.
    const key = JSON.stringify([services, session, signingIn, view, this.state.menuFor, this.streamlitReady(), this.state.app]);
    if (key === this.headerKey) return;
    this.headerKey = key;
    const pills = h('nav', { class: 'pills', 'aria-label': 'Services' },
      services.map((s) => this.pill(s)));
    const who = session.signedIn
      ? h('div', { class: 'who', title: session.email || session.sub },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(session.name || session.email)),
          h('span', { class: 'who-text' },
            h('span', { class: 'who-name' }, session.name || session.email || 'Signed in'),
            h('span', { class: 'who-exp' }, formatExpiry(session.expiry))))
      : h('div', { class: 'who signed-out' }, signingIn ? 'Signing in…' : 'Not signed in');
    const authBtn = session.signedIn
      ? h('button', { class: 'btn', onclick: () => this.run(() => this.api.logout()) }, 'Log out')
      : h('button', { class: 'btn primary', disabled: signingIn, onclick: () => this.login() },
          signingIn ? 'Signing in…' : 'Log in');
    const appReady = this.streamlitReady();
    this.header.replaceChildren(
      this.brand(),
      pills,
      h('div', { class: 'spacer' }),
      who,
      authBtn,
      h('button', {
        class: 'btn', disabled: !appReady, title: 'Open the app in your web browser (Ctrl+Shift+B)',
        onclick: () => this.run(() => this.api.openInBrowser()),
      }, 'Open in browser'),
      h('button', {
        class: 'btn' + (view === 'logs' ? ' active' : ''), 'aria-pressed': String(view === 'logs'), title: 'Logs (Ctrl+L)',
        onclick: () => (view === 'logs' ? this.set({ view: 'app' }) : this.showLogs(this.state.logService)),
      }, 'Logs'),
    );
  }

  /** brand is the current app's name; it opens the Apps view, where another can be opened. */
  private brand(): HTMLElement {
    const { app, view } = this.state;
    const name = app?.name || 'Desklit';
    return h('div', { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }, 'D'),
      h('button', {
        class: 'app-switch' + (view === 'apps' ? ' active' : ''), 'aria-pressed': String(view === 'apps'),
        'aria-label': `${name}: show the apps`, title: `${app && !app.demo ? app.path : name} — show the apps (Ctrl+2)`,
        onclick: () => this.set({ view: view === 'apps' ? 'app' : 'apps', menuFor: '' }),
      }, h('span', { class: 'brand-name' }, name), h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾')));
  }

  private login(): void {
    this.set({ signingIn: true });
    this.run(() => this.api.login()).finally(() => this.set({ signingIn: false }));
  }

  private pill(s: ServiceView): HTMLElement {
    const open = this.state.menuFor === s.name;
    const btn = h('button', {
      class: `pill state-${s.state.toLowerCase()}`, title: serviceTooltip(s), 'aria-haspopup': 'menu',
      'aria-label': `${serviceLabel(s.name)}: ${stateWord(s.state)}`,
      'aria-expanded': String(open), 'data-service': s.name,
      onclick: () => this.set({ menuFor: open ? '' : s.name }),
    }, h('span', { class: 'dot', 'aria-hidden': 'true' }), serviceLabel(s.name), h('span', { class: 'pill-state' }, stateWord(s.state)),
    s.cpuHigh ? h('span', { class: 'badge', title: `High CPU: ${Math.round(s.cpuPercent)} %` }, 'CPU') : null);
    const menu = open
      ? h('div', { class: 'pill-menu', role: 'menu' },
          h('div', { class: 'pill-menu-info' }, serviceTooltip(s)),
          h('button', { role: 'menuitem', onclick: () => { this.set({ menuFor: '' }); this.restart(s.name); } }, `Restart ${serviceLabel(s.name)}`),
          h('button', { role: 'menuitem', onclick: () => this.showLogs(s.name) }, 'Show logs'))
      : null;
    return h('div', { class: 'pill-wrap' }, btn, menu);
  }

  private restart(name: string): void {
    this.run(() => this.api.restartService(name), `${serviceLabel(name)} is restarting`);
  }

  private renderBanners(): void {
    this.banners.replaceChildren(...this.cpuBanners(), ...this.keyringBanner());
  }

  /** A service that keeps a core busy (a script stuck in a loop keeps running after its page is
   * closed) gets a banner that offers a restart. */
  private cpuBanners(): HTMLElement[] {
    return this.state.services.filter((s) => s.cpuHigh && !this.state.cpuDismissed.includes(s.name)).map((s) =>
      h('div', { class: 'banner warn cpu', role: 'status' },
        h('strong', {}, `${serviceLabel(s.name)} has used ${Math.round(s.cpuPercent)} % CPU for a while. `),
        h('span', {}, 'If it should be idle, a script may be stuck in a loop: it keeps running after its page is closed. Restarting stops it.'),
        h('button', { class: 'btn small', 'data-action': `restart:${s.name}`, onclick: () => this.restart(s.name) }, `Restart ${serviceLabel(s.name)}`),
        h('button', { class: 'btn small', onclick: () => this.set({ cpuDismissed: [...this.state.cpuDismissed, s.name] }) }, 'Dismiss')));
  }

  private keyringBanner(): HTMLElement[] {
    const { session, keyringDismissed } = this.state;
    const warn = session.storeWarning;
    if (!warn || keyringDismissed) return [];
    return [
      h('div', { class: 'banner warn', role: 'alert' },
        h('strong', {}, 'Your sign-in will not be remembered. '),
        h('span', {}, [warn, ...keyringHelp(warn)].join(' ')),
        h('button', { class: 'btn small', onclick: () => this.set({ keyringDismissed: true }) }, 'OK')),
    ];
  }

  private streamlitReady(): boolean {
    return this.state.services.some((s) => s.name === 'streamlit' && s.state === 'Ready') && !!this.state.streamlitUrl;
  }

  /** mainView says which view is in front; exported through data-view for tests and styles. */
  mainView(): 'error' | 'progress' | 'logs' | 'apps' | 'opening' | 'app' | 'starting' {
    const { error, progress, view } = this.state;
    if (error) return 'error';
    if (progress) return 'progress';
    if (view === 'logs') return 'logs';
    if (this.state.opening) return 'opening';
    if (view === 'apps') return 'apps';
    if (this.streamlitReady() || (this.frame && this.state.streamlitUrl)) return 'app';
    return 'starting';
  }

  private renderMain(): void {
    const v = this.mainView();
    this.main.dataset.view = v;
    // The app's frame is created once and only hidden, so Streamlit keeps its session and
    // websocket while the user looks at logs or an error.
    if (this.state.streamlitUrl && this.streamlitReady() && !this.frame) {
      this.frame = h('iframe', {
        class: 'app-frame', title: 'Streamlit app', src: this.state.streamlitUrl,
        allow: 'clipboard-read; clipboard-write; fullscreen',
      }) as HTMLIFrameElement;
      this.appPane.replaceChildren(this.frame);
    } else if (this.frame && this.frame.getAttribute('src') !== this.state.streamlitUrl && this.state.streamlitUrl) {
      this.frame.src = this.state.streamlitUrl;
    }
    this.appPane.hidden = v !== 'app';
    this.otherPane.hidden = v === 'app';
    if (v === 'app') {
      this.logPre = null;
      this.paneKey = 'app';
      return;
    }
    // Rebuild the pane only when what it shows changed: the logs view keeps its filter's focus
    // and scroll position while service events arrive.
    const s = this.state;
    const key = v + JSON.stringify(
      v === 'error' ? s.error
        : v === 'progress' ? s.progress
        : v === 'logs' ? [s.logService, s.services.map((x) => x.name)]
        : v === 'apps' ? s.apps
        : v === 'opening' ? s.opening
        : s.services.map((x) => [x.name, x.state]));
    if (key === this.paneKey) return;
    this.paneKey = key;
    this.logPre = null;
    const view = v === 'error' ? this.errorView(s.error!)
      : v === 'progress' ? this.progressView(s.progress!)
      : v === 'logs' ? this.logsView()
      : v === 'apps' ? appsView(s.apps, s.opening, {
          open: (a) => this.openApp(a),
          chooseApp: () => this.choose(() => this.api.chooseApp()),
          chooseScript: () => this.choose(() => this.api.chooseScript()),
          close: () => this.set({ view: 'app' }),
        })
      : v === 'opening' ? this.openingView(s.opening)
      : this.startingView();
    this.otherPane.replaceChildren(view);
    const pre = this.logPre as HTMLElement | null; // set by logsView
    if (pre) pre.scrollTop = pre.scrollHeight;
  }

  /** refreshLog redraws the log text after a filter change or a fresh load. */
  private refreshLog(): void {
    if (!this.logPre || !this.logEmpty) return;
    const lines = this.filteredLines();
    this.logPre.textContent = lines.length ? lines.join('\n') + '\n' : '';
    this.logPre.hidden = !lines.length;
    this.logEmpty.hidden = !!lines.length;
    this.logEmpty.textContent = this.state.filter ? 'No lines match the filter.' : 'No output yet.';
    this.logPre.scrollTop = this.logPre.scrollHeight;
  }

  private startingView(): HTMLElement {
    const { services } = this.state;
    return h('div', { class: 'card center-card' },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('h1', {}, 'Starting Desklit…'),
      services.length
        ? h('ul', { class: 'svc-list' }, services.map((s) =>
            h('li', {}, h('span', { class: `dot state-${s.state.toLowerCase()}` }), serviceLabel(s.name), ' — ', stateWord(s.state))))
        : h('p', { class: 'muted' }, 'Preparing the services.'));
  }

  private openingView(name: string): HTMLElement {
    return h('div', { class: 'card center-card' },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('h1', {}, `Opening ${name}…`),
      h('p', { class: 'muted' }, 'Only the app restarts: you stay signed in.'));
  }

  /** openApp opens a row of the Apps view; the one running just goes back to it. */
  private openApp(a: AppView): void {
    this.set({ view: 'app' });
    if (!a.current) this.run(() => this.api.openApp(a.path));
  }

  private choose(f: () => Promise<string>): void {
    this.run(async () => {
      if (await f()) this.set({ view: 'app' });
    });
  }

  private progressView(p: ProgressView): HTMLElement {
    const pct = Math.max(0, Math.min(100, p.percent || (p.total ? (100 * p.n) / p.total : 0)));
    return h('div', { class: 'card center-card progress-card' },
      h('h1', {}, `Setting up ${p.app || 'Desklit'}`),
      h('p', { class: 'muted' }, p.app
        ? 'Desklit builds this app\'s Python environment once; later it opens in seconds.'
        : 'This happens once, on first start, and takes a few seconds.'),
      h('p', { class: 'step' }, p.step || 'Preparing…'),
      h('p', { class: 'pkg' },
        h('span', {}, p.total ? `Package ${p.n} of ${p.total}${p.package ? ': ' + p.package : ''}` : ''),
        h('span', { class: 'pct' }, `${Math.round(pct)} %`)),
      h('div', { class: 'bar-outer', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(pct) },
        h('div', { class: 'bar-inner', style: `width:${pct.toFixed(1)}%` })),
      p.message && !looksRaw(p.message) ? h('p', { class: 'muted small' }, p.message) : null,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', onclick: () => this.run(() => this.api.cancelStart()) }, 'Cancel')));
  }

  private errorView(e: ErrorView): HTMLElement {
    const raw = looksRaw(e.message);
    const message = raw ? 'Desklit ran into a problem it could not explain. The details are in the logs.' : e.message;
    const detailRaw = raw ? e.message + (e.detail ? '\n' + e.detail : '') : e.detail;
    // A failed app's Traceback is what its author needs to see: shown as it is, not collapsed.
    const showDetailOpen = !raw && (e.kind === 'app_failed' || ((e.kind === 'crash_loop' || e.kind === 'port_in_use') && !looksRaw(e.detail)));
    const actions = (e.actions?.length ? e.actions : ['retry']).map((a, i) =>
      h('button', { class: 'btn' + (i === 0 ? ' primary' : ''), 'data-action': a, onclick: () => this.doAction(a) }, actionLabel(a)));
    if (!actions.some((b) => b.dataset.action === 'show_logs' || b.dataset.action === 'open_logs')) {
      actions.push(h('button', { class: 'btn', 'data-action': 'show_logs', onclick: () => this.doAction('show_logs') }, 'Show logs'));
    }
    return h('div', { class: `card center-card error-card kind-${e.kind}`, role: 'alert' },
      h('div', { class: 'err-icon', 'aria-hidden': 'true' }, '!'),
      h('h1', {}, errorTitle(e)),
      message ? h('p', { class: 'err-message' }, message) : null,
      errorHelp(e).map((t) => h('p', { class: 'muted' }, t)),
      detailRaw
        ? showDetailOpen
          ? h('pre', { class: 'detail' }, detailRaw)
          : h('details', {}, h('summary', {}, 'Technical details'), h('pre', { class: 'detail' }, detailRaw))
        : null,
      h('div', { class: 'actions' }, actions));
  }

  private doAction(action: string): void {
    const [verb] = splitAction(action);
    if (verb === 'show_logs') {
      const svc = this.state.error?.service || this.state.logService;
      this.set({ error: null });
      this.showLogs(svc);
      return;
    }
    if (verb === 'dismiss') this.set({ error: null });
    if (verb === 'retry' || verb === 'use_port' || verb === 'restart') {
      this.set({ error: null }); // the Go side reports a new error if it fails again
    }
    this.run(() => this.api.act(action));
  }

  private matches(line: string): boolean {
    const f = this.state.filter.trim().toLowerCase();
    return !f || line.toLowerCase().includes(f);
  }

  private atBottom(): boolean {
    const p = this.logPre!;
    return p.scrollHeight - p.scrollTop - p.clientHeight < 40;
  }

  private filteredLines(): string[] {
    return (this.logs.get(this.state.logService) ?? []).filter((l) => this.matches(l));
  }

  private logsView(): HTMLElement {
    const names = this.state.services.length ? this.state.services.map((s) => s.name) : ['streamlit', 'component', 'api'];
    const lines = this.filteredLines();
    const tabs = h('div', { class: 'tabs', role: 'tablist' }, names.map((n) =>
      h('button', {
        role: 'tab', class: 'tab' + (n === this.state.logService ? ' active' : ''), 'aria-selected': String(n === this.state.logService),
        onclick: () => this.showLogs(n),
      }, serviceLabel(n))));
    const filter = h('input', {
      class: 'log-filter', type: 'search', placeholder: 'Filter (Ctrl+F)', value: this.state.filter, 'aria-label': 'Filter log lines',
    }) as HTMLInputElement;
    filter.addEventListener('input', () => {
      this.state.filter = filter.value;
      this.refreshLog();
    });
    this.logPre = h('pre', { class: 'log', tabindex: 0, 'aria-label': `${serviceLabel(this.state.logService)} log` },
      lines.length ? lines.join('\n') + '\n' : '');
    this.logPre.hidden = !lines.length;
    this.logEmpty = h('div', { class: 'log empty muted' }, this.state.filter ? 'No lines match the filter.' : 'No output yet.');
    this.logEmpty.hidden = !!lines.length;
    return h('div', { class: 'logs' },
      h('div', { class: 'logs-bar' },
        tabs,
        filter,
        h('div', { class: 'spacer' }),
        h('button', { class: 'btn', onclick: () => this.run(() => this.api.copyText(this.filteredLines().join('\n')), 'Copied to the clipboard') }, 'Copy'),
        h('button', { class: 'btn', onclick: () => this.run(() => this.api.openLogFolder()) }, 'Open log folder'),
        h('button', { class: 'btn', onclick: () => this.saveDiagnostics() }, 'Save diagnostics…'),
        h('button', { class: 'btn', title: 'Back to the app (Esc)', onclick: () => this.set({ view: 'app' }) }, 'Close')),
      this.logPre, this.logEmpty);
  }

  private async saveDiagnostics(): Promise<void> {
    try {
      const path = await this.api.saveDiagnostics();
      if (path) this.notify(`Diagnostics saved to ${path}`, false);
    } catch (err) {
      this.notify(errMessage(err), true);
    }
  }
}

function initials(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return (parts[0]?.[0] ?? '?').toUpperCase() + (parts[1]?.[0] ?? '').toUpperCase();
}

/** errMessage turns whatever a rejected call gives (a string from Go, an Error) into a sentence. */
export function errMessage(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return looksRaw(s) ? 'Something went wrong. The details are in the logs.' : s;
}

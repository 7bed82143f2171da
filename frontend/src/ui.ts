// The window: header (the app's name, services, session, actions), banners, and one main view
// at a time: an error a user can act on, the first-run progress, the logs, the apps, the Package
// view, or the Streamlit app.
// State changes arrive as events from Go; nothing here polls.

import { Ev, type Api, type AppView, type ErrorView, type LogLine, type ProgressView, type ServiceView, type SessionView, type Snapshot } from './api';
import { appsView } from './apps';
import { Act, State } from './contract';
import { h } from './dom';
import { errMessage, serviceLabel, splitAction } from './format';
import { header, type View } from './header';
import { LogBuffer, lineMatches } from './logbuffer';
import { Packaging } from './packaging';
import { cpuBanner, errorView, keyringBanner, logsView, openingView, progressView, startingView } from './views';

export type { View };

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
  singleApp: boolean; // a packaged app: no Apps view, no other app to open
  signingIn: boolean; // Log in was pressed and the sign-in has not ended
}

const emptySession: SessionView = {
  signedIn: false, name: '', email: '', sub: '', expiry: '', storeWarning: '',
};

export class UI {
  state: State = {
    services: [], session: emptySession, progress: null, error: null, streamlitUrl: '',
    view: 'app', logService: 'streamlit', filter: '', keyringDismissed: false, cpuDismissed: [], notice: null, menuFor: '',
    app: null, apps: [], opening: '', singleApp: false, signingIn: false,
  };
  private logs = new LogBuffer(5000);
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
  private packaging: Packaging;

  constructor(private root: HTMLElement, private api: Api) {
    this.packaging = new Packaging(api, () => this.render(), (t) => this.notify(t, true));
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
    this.unsub.push(this.packaging.subscribe());
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
      singleApp: !!s.singleApp,
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
    if (this.state.view === 'package') void this.packaging.open(a); // another app's folder
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
    this.logs.add(l.service, l.line);
    if (this.state.view === 'logs' && l.service === this.state.logService && this.logPre && lineMatches(l.line, this.state.filter)) {
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
    } else if (v === 'apps' || v === 'package') {
      this.set({ view: v, menuFor: '' });
      if (v === 'package') void this.packaging.open(this.state.app);
    } else {
      this.set({ view: 'app' });
    }
  }

  async showLogs(service: string): Promise<void> {
    this.set({ view: 'logs', logService: service, menuFor: '' });
    try {
      const lines = await this.api.logs(service);
      this.logs.replace(service, lines);
      if (this.state.view === 'logs' && this.state.logService === service) this.refreshLog();
    } catch (err) {
      this.notify(errMessage(err), true);
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      if (this.state.menuFor) this.set({ menuFor: '' });
      else if (this.state.view !== 'app') this.set({ view: 'app' });
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
    const { services, session, view, signingIn, menuFor, app, singleApp } = this.state;
    const appReady = this.streamlitReady();
    // Rebuild only when something shown changed, so a hover or a focus survives other events.
    const key = JSON.stringify([services, session, signingIn, view, menuFor, appReady, app, singleApp]);
    if (key === this.headerKey) return;
    this.headerKey = key;
    this.header.replaceChildren(...header({ app, services, session, signingIn, view, menuFor, appReady, singleApp }, {
      toggleApps: () => this.set({ view: view === 'apps' ? 'app' : 'apps', menuFor: '' }),
      toggleMenu: (name) => this.set({ menuFor: this.state.menuFor === name ? '' : name }),
      restart: (name) => this.restart(name),
      showLogs: (name) => this.showLogs(name),
      toggleLogs: () => (view === 'logs' ? this.set({ view: 'app' }) : this.showLogs(this.state.logService)),
      login: () => this.login(),
      logout: () => this.run(() => this.api.logout()),
      openInBrowser: () => this.run(() => this.api.openInBrowser()),
    }));
  }

  private login(): void {
    this.set({ signingIn: true });
    this.run(() => this.api.login()).finally(() => this.set({ signingIn: false }));
  }

  private restart(name: string): void {
    this.run(() => this.api.restartService(name), `${serviceLabel(name)} is restarting`);
  }

  private renderBanners(): void {
    this.banners.replaceChildren(...this.cpuBanners(), ...this.keyringBanner());
  }

  private cpuBanners(): HTMLElement[] {
    return this.state.services.filter((s) => s.cpuHigh && !this.state.cpuDismissed.includes(s.name)).map((s) =>
      cpuBanner(s, () => this.restart(s.name), () => this.set({ cpuDismissed: [...this.state.cpuDismissed, s.name] })));
  }

  private keyringBanner(): HTMLElement[] {
    const { session, keyringDismissed } = this.state;
    if (!session.storeWarning || keyringDismissed) return [];
    return [keyringBanner(session.storeWarning, () => this.set({ keyringDismissed: true }))];
  }

  private streamlitReady(): boolean {
    return this.state.services.some((s) => s.name === 'streamlit' && s.state === State.Ready) && !!this.state.streamlitUrl;
  }

  /** mainView says which view is in front; exported through data-view for tests and styles. */
  mainView(): 'error' | 'progress' | 'logs' | 'apps' | 'package' | 'opening' | 'app' | 'starting' {
    const { error, progress, view } = this.state;
    if (error) return 'error';
    if (progress) return 'progress';
    if (view === 'logs') return 'logs';
    if (this.state.opening) return 'opening';
    if (view === 'apps' || view === 'package') return view;
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
    const pane = this.panes()[v];
    const key = v + JSON.stringify(pane.key());
    if (key === this.paneKey) return;
    this.paneKey = key;
    this.logPre = null;
    const view = pane.render();
    this.otherPane.replaceChildren(view);
    const pre = (this.logPre ?? this.otherPane.querySelector('.package-log')) as HTMLElement | null; // set by logsView
    if (pre) pre.scrollTop = pre.scrollHeight;
  }

  /** panes: for each view but the app's, what decides its content and how it is drawn. */
  private panes(): Record<Exclude<ReturnType<UI['mainView']>, 'app'>, { key: () => unknown; render: () => HTMLElement }> {
    const s = this.state;
    return {
      error: { key: () => s.error, render: () => errorView(s.error!, (a) => this.doAction(a)) },
      progress: { key: () => s.progress, render: () => progressView(s.progress!, () => this.run(() => this.api.cancelStart())) },
      logs: { key: () => [s.logService, s.services.map((x) => x.name)], render: () => this.logsView() },
      apps: {
        key: () => s.apps,
        render: () => appsView(s.apps, s.opening, {
          open: (a) => this.openApp(a),
          chooseApp: () => this.choose(() => this.api.chooseApp()),
          chooseScript: () => this.choose(() => this.api.chooseScript()),
          close: () => this.set({ view: 'app' }),
        }),
      },
      package: {
        key: () => [s.app, this.packaging.key()],
        render: () => this.packaging.view(s.app, () => this.set({ view: 'app' }), () => this.choose(() => this.api.chooseApp())),
      },
      opening: { key: () => s.opening, render: () => openingView(s.opening) },
      starting: { key: () => s.services.map((x) => [x.name, x.state]), render: () => startingView(s.services) },
    };
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

  private doAction(action: string): void {
    const [verb] = splitAction(action);
    if (verb === Act.ShowLogs) {
      const svc = this.state.error?.service || this.state.logService;
      this.set({ error: null });
      this.showLogs(svc);
      return;
    }
    if (verb === Act.Dismiss) this.set({ error: null });
    if (([Act.Retry, Act.Reopen, Act.Script, Act.UsePort, Act.Restart] as string[]).includes(verb)) {
      this.set({ error: null }); // the Go side reports a new error if it fails again
    }
    this.run(() => this.api.act(action));
  }

  private atBottom(): boolean {
    const p = this.logPre!;
    return p.scrollHeight - p.scrollTop - p.clientHeight < 40;
  }

  private filteredLines(): string[] {
    return this.logs.filtered(this.state.logService, this.state.filter);
  }

  private logsView(): HTMLElement {
    const names = this.state.services.length ? this.state.services.map((s) => s.name) : ['streamlit', 'component', 'api'];
    const { view, pre, empty } = logsView(names, this.state.logService, this.state.filter, this.filteredLines(), {
      show: (n) => this.showLogs(n),
      filter: (text) => {
        this.state.filter = text;
        this.refreshLog();
      },
      copy: () => this.run(() => this.api.copyText(this.filteredLines().join('\n')), 'Copied to the clipboard'),
      openFolder: () => this.run(() => this.api.openLogFolder()),
      saveDiagnostics: () => this.saveDiagnostics(),
      close: () => this.set({ view: 'app' }),
    });
    this.logPre = pre;
    this.logEmpty = empty;
    return view;
  }

  private saveDiagnostics(): void {
    this.run(async () => {
      const path = await this.api.saveDiagnostics();
      if (path) this.notify(`Diagnostics saved to ${path}`, false);
    });
  }
}

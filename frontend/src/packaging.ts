// What the Package view remembers: the systems found, the ones checked, the folder, and the
// packaging that runs or ran last, from the Go side's Ev.package events. The UI renders it
// (package.ts) when changed() is called.

import { Ev, type Api, type AppView, type PackageEvent } from './api';
import { errMessage } from './format';
import { packageView, type PackageState } from './package';

const maxLines = 300;

export class Packaging {
  state: PackageState = { targets: [], chosen: [], outDir: '', running: false, lines: [], result: null, error: null };
  private appPath: string | null = null; // the app the folder was proposed for

  constructor(private api: Api, private changed: () => void, private notify: (text: string) => void) {}

  /** subscribe listens to the packaging's events; it returns the unsubscribe. */
  subscribe(): () => void {
    return this.api.on(Ev.package, (e: PackageEvent) => this.onEvent(e));
  }

  /** open (re)reads the targets and, for another app than before, the proposed folder; a
   * packaging that runs is left as it is. */
  async open(app: AppView | null): Promise<void> {
    if (this.state.running || !app || app.demo) return;
    try {
      const targets = await this.api.packageTargets();
      const first = !this.state.targets.length;
      const usable = (n: string) => targets.some((t) => t.name === n && t.available);
      const chosen = first ? targets.filter((t) => t.host && t.available).map((t) => t.name) : this.state.chosen.filter(usable);
      this.set({ targets, chosen });
      if (this.appPath !== app.path) {
        this.appPath = app.path;
        this.set({ outDir: await this.api.packageFolder(), lines: [], result: null, error: null });
      }
    } catch (err) {
      this.notify(errMessage(err));
    }
  }

  view(app: AppView | null, close: () => void, chooseApp: () => void): HTMLElement {
    return packageView(app, this.state, {
      toggle: (t, on) => this.set({ chosen: on ? [...this.state.chosen, t] : this.state.chosen.filter((c) => c !== t) }),
      chooseFolder: () => this.chooseFolder(),
      start: () => this.start(),
      openFolder: () => this.api.openPackageFolder().catch((err) => this.notify(errMessage(err))),
      chooseApp,
      close,
    });
  }

  /** key changes whenever the view shows something else (the UI then rebuilds it). */
  key(): string {
    return JSON.stringify(this.state);
  }

  private onEvent(e: PackageEvent): void {
    if (!e.done) {
      this.set({ running: true, lines: [...this.state.lines, e.line].slice(-maxLines) });
      return;
    }
    this.set({
      running: false, result: e.result ?? null,
      error: e.error ? { message: e.error, detail: e.detail ?? '' } : null,
    });
  }

  private async start(): Promise<void> {
    const { chosen, outDir } = this.state;
    this.set({ running: true, lines: [], result: null, error: null });
    try {
      await this.api.packageApp({ targets: chosen, outDir });
    } catch (err) {
      this.set({ running: false, error: { message: errMessage(err), detail: '' } });
    }
  }

  private async chooseFolder(): Promise<void> {
    try {
      const dir = await this.api.choosePackageFolder();
      if (dir) this.set({ outDir: dir });
    } catch (err) {
      this.notify(errMessage(err));
    }
  }

  private set(patch: Partial<PackageState>): void {
    Object.assign(this.state, patch);
    this.changed();
  }
}

// The window's main views and banners, each built from what it shows and the actions it offers:
// the starting and opening screens, the first-run progress, an error a user can act on, the
// logs, and the CPU and keyring banners. The UI decides which one is in front.

import type { ErrorView, ProgressView, ServiceView } from './api';
import { Act, Err } from './contract';
import { h } from './dom';
import { actionLabel, errorHelp, errorTitle, keyringHelp, looksRaw, serviceLabel, stateWord } from './format';

export function startingView(services: ServiceView[]): HTMLElement {
  return h('div', { class: 'card center-card' },
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    h('h1', {}, 'Starting Desklit…'),
    services.length
      ? h('ul', { class: 'svc-list' }, services.map((s) =>
          h('li', {}, h('span', { class: `dot state-${s.state.toLowerCase()}` }), serviceLabel(s.name), ' — ', stateWord(s.state))))
      : h('p', { class: 'muted' }, 'Preparing the services.'));
}

export function openingView(name: string): HTMLElement {
  return h('div', { class: 'card center-card' },
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    h('h1', {}, `Opening ${name}…`),
    h('p', { class: 'muted' }, 'Only the app restarts: you stay signed in.'));
}

export function progressView(p: ProgressView, cancel: () => void): HTMLElement {
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
      h('button', { class: 'btn', onclick: () => cancel() }, 'Cancel')));
}

/** errorView shows e in plain words with its actions as buttons (act performs one). */
export function errorView(e: ErrorView, act: (action: string) => void): HTMLElement {
  const raw = looksRaw(e.message);
  const message = raw ? 'Desklit ran into a problem it could not explain. The details are in the logs.' : e.message;
  const detailRaw = raw ? e.message + (e.detail ? '\n' + e.detail : '') : e.detail;
  // A failed app's Traceback is what its author needs to see: shown as it is, not collapsed.
  const showDetailOpen = !raw && (e.kind === Err.AppFailed || e.kind === Err.Dependencies ||
    ((e.kind === Err.CrashLoop || e.kind === Err.PortInUse) && !looksRaw(e.detail)));
  const actions = (e.actions?.length ? e.actions : [Act.Retry as string]).map((a, i) =>
    h('button', { class: 'btn' + (i === 0 ? ' primary' : ''), 'data-action': a, onclick: () => act(a) }, actionLabel(a)));
  if (e.kind !== Err.ChooseScript && !actions.some((b) => b.dataset.action === Act.ShowLogs || b.dataset.action === Act.OpenLogs)) {
    actions.push(h('button', { class: 'btn', 'data-action': Act.ShowLogs, onclick: () => act(Act.ShowLogs) }, 'Show logs'));
  }
  return h('div', { class: `card center-card error-card kind-${e.kind}`, role: 'alert' },
    h('div', { class: 'err-icon', 'aria-hidden': 'true' }, e.kind === Err.ChooseScript ? '?' : '!'),
    h('h1', {}, errorTitle(e)),
    e.kind === Err.Dependencies ? errorHelp(e).map((t) => h('p', { class: 'muted' }, t)) : null,
    message ? h('p', { class: 'err-message' + (e.kind === Err.Dependencies ? ' explanation' : '') }, message) : null,
    e.kind !== Err.Dependencies ? errorHelp(e).map((t) => h('p', { class: 'muted' }, t)) : null,
    detailRaw
      ? showDetailOpen
        ? h('pre', { class: 'detail' }, detailRaw)
        : h('details', {}, h('summary', {}, 'Technical details'), h('pre', { class: 'detail' }, detailRaw))
      : null,
    h('div', { class: 'actions' }, actions));
}

export interface LogsActions {
  show(service: string): void;
  filter(text: string): void;
  copy(): void;
  openFolder(): void;
  saveDiagnostics(): void;
  close(): void;
}

/** logsView is the logs of service (tabs for each of names) with lines shown; pre and empty are
 * the text and its placeholder, which the UI updates as lines arrive. */
export function logsView(names: string[], service: string, filter: string, lines: string[], act: LogsActions):
  { view: HTMLElement; pre: HTMLElement; empty: HTMLElement } {
  const tabs = h('div', { class: 'tabs', role: 'tablist' }, names.map((n) =>
    h('button', {
      role: 'tab', class: 'tab' + (n === service ? ' active' : ''), 'aria-selected': String(n === service),
      onclick: () => act.show(n),
    }, serviceLabel(n))));
  const input = h('input', {
    class: 'log-filter', type: 'search', placeholder: 'Filter (Ctrl+F)', value: filter, 'aria-label': 'Filter log lines',
  }) as HTMLInputElement;
  input.addEventListener('input', () => act.filter(input.value));
  const pre = h('pre', { class: 'log', tabindex: 0, 'aria-label': `${serviceLabel(service)} log` },
    lines.length ? lines.join('\n') + '\n' : '');
  pre.hidden = !lines.length;
  const empty = h('div', { class: 'log empty muted' }, filter ? 'No lines match the filter.' : 'No output yet.');
  empty.hidden = !!lines.length;
  const view = h('div', { class: 'logs' },
    h('div', { class: 'logs-bar' },
      tabs,
      input,
      h('div', { class: 'spacer' }),
      h('button', { class: 'btn', onclick: () => act.copy() }, 'Copy'),
      h('button', { class: 'btn', onclick: () => act.openFolder() }, 'Open log folder'),
      h('button', { class: 'btn', onclick: () => act.saveDiagnostics() }, 'Save diagnostics…'),
      h('button', { class: 'btn', title: 'Back to the app (Esc)', onclick: () => act.close() }, 'Close')),
    pre, empty);
  return { view, pre, empty };
}

/** cpuBanner: a service that keeps a core busy (a script stuck in a loop keeps running after
 * its page is closed) gets a banner that offers a restart. */
export function cpuBanner(s: ServiceView, restart: () => void, dismiss: () => void): HTMLElement {
  return h('div', { class: 'banner warn cpu', role: 'status' },
    h('strong', {}, `${serviceLabel(s.name)} has used ${Math.round(s.cpuPercent)} % CPU for a while. `),
    h('span', {}, 'If it should be idle, a script may be stuck in a loop: it keeps running after its page is closed. Restarting stops it.'),
    h('button', { class: 'btn small', 'data-action': `restart:${s.name}`, onclick: () => restart() }, `Restart ${serviceLabel(s.name)}`),
    h('button', { class: 'btn small', onclick: () => dismiss() }, 'Dismiss'));
}

/** keyringBanner: the session is held in memory (warn says why). */
export function keyringBanner(warn: string, dismiss: () => void): HTMLElement {
  return h('div', { class: 'banner warn', role: 'alert' },
    h('strong', {}, 'Your sign-in will not be remembered. '),
    h('span', {}, [warn, ...keyringHelp(warn)].join(' ')),
    h('button', { class: 'btn small', onclick: () => dismiss() }, 'OK'));
}

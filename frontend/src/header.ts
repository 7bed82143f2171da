// The window's header: the current app's name (it opens the Apps view), a pill for each service
// (with its menu), who is signed in, and the session and view buttons.

import type { AppView, ServiceView, SessionView } from './api';
import { h } from './dom';
import { formatExpiry, serviceLabel, serviceTooltip, stateWord } from './format';

/** The main views the header switches between. */
export type View = 'app' | 'logs' | 'apps' | 'package';

export interface HeaderState {
  app: AppView | null;
  singleApp: boolean; // a packaged app: its name only, no other app to open
  services: ServiceView[];
  session: SessionView;
  signingIn: boolean;
  view: View;
  menuFor: string; // the service whose pill menu is open
  appReady: boolean; // Streamlit runs: the app can be opened in the browser
}

export interface HeaderActions {
  toggleApps(): void;
  toggleMenu(service: string): void; // opens the pill's menu, or closes it
  restart(service: string): void;
  showLogs(service: string): void;
  toggleLogs(): void;
  login(): void;
  logout(): void;
  openInBrowser(): void;
}

export function header(s: HeaderState, act: HeaderActions): HTMLElement[] {
  const { session, signingIn, view } = s;
  const who = session.signedIn
    ? h('div', { class: 'who', title: session.email || session.sub },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(session.name || session.email)),
        h('span', { class: 'who-text' },
          h('span', { class: 'who-name' }, session.name || session.email || 'Signed in'),
          h('span', { class: 'who-exp' }, formatExpiry(session.expiry))))
    : h('div', { class: 'who signed-out' }, signingIn ? 'Signing in…' : 'Not signed in');
  const authBtn = session.signedIn
    ? h('button', { class: 'btn', onclick: () => act.logout() }, 'Log out')
    : h('button', { class: 'btn primary', disabled: signingIn, onclick: () => act.login() },
        signingIn ? 'Signing in…' : 'Log in');
  return [
    brand(s.app, view, act, s.singleApp),
    h('nav', { class: 'pills', 'aria-label': 'Services' }, s.services.map((svc) => pill(svc, s.menuFor === svc.name, act))),
    h('div', { class: 'spacer' }),
    who,
    authBtn,
    h('button', {
      class: 'btn', disabled: !s.appReady, title: 'Open the app in your web browser (Ctrl+Shift+B)',
      onclick: () => act.openInBrowser(),
    }, 'Open in browser'),
    h('button', {
      class: 'btn' + (view === 'logs' ? ' active' : ''), 'aria-pressed': String(view === 'logs'), title: 'Logs (Ctrl+L)',
      onclick: () => act.toggleLogs(),
    }, 'Logs'),
  ];
}

/** brand is the current app's name; it opens the Apps view, where another can be opened (not
 * in a packaged app, which runs its own only). */
function brand(app: AppView | null, view: View, act: HeaderActions, single: boolean): HTMLElement {
  const name = app?.name || 'Desklit';
  if (single) {
    return h('div', { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase()),
      h('span', { class: 'brand-name app-only' }, name));
  }
  return h('div', { class: 'brand' },
    h('span', { class: 'logo', 'aria-hidden': 'true' }, 'D'),
    h('button', {
      class: 'app-switch' + (view === 'apps' ? ' active' : ''), 'aria-pressed': String(view === 'apps'),
      'aria-label': `${name}: show the apps`, title: `${app && !app.demo ? app.path : name} — show the apps (Ctrl+2)`,
      onclick: () => act.toggleApps(),
    }, h('span', { class: 'brand-name' }, name), h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾')));
}

function pill(s: ServiceView, open: boolean, act: HeaderActions): HTMLElement {
  const btn = h('button', {
    class: `pill state-${s.state.toLowerCase()}`, title: serviceTooltip(s), 'aria-haspopup': 'menu',
    'aria-label': `${serviceLabel(s.name)}: ${stateWord(s.state)}`,
    'aria-expanded': String(open), 'data-service': s.name,
    onclick: () => act.toggleMenu(s.name),
  }, h('span', { class: 'dot', 'aria-hidden': 'true' }), serviceLabel(s.name), h('span', { class: 'pill-state' }, stateWord(s.state)),
  s.cpuHigh ? h('span', { class: 'badge', title: `High CPU: ${Math.round(s.cpuPercent)} %` }, 'CPU') : null);
  const menu = open
    ? h('div', { class: 'pill-menu', role: 'menu' },
        h('div', { class: 'pill-menu-info' }, serviceTooltip(s)),
        h('button', { role: 'menuitem', onclick: () => { act.toggleMenu(s.name); act.restart(s.name); } }, `Restart ${serviceLabel(s.name)}`),
        h('button', { role: 'menuitem', onclick: () => act.showLogs(s.name) }, 'Show logs'))
    : null;
  return h('div', { class: 'pill-wrap' }, btn, menu);
}

function initials(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return (parts[0]?.[0] ?? '?').toUpperCase() + (parts[1]?.[0] ?? '').toUpperCase();
}

import { beforeEach, describe, expect, it } from 'vitest';
import { Ev, type ErrorView } from './api';
import { allReady, button, FakeApi, flush, mount, q, text, view } from './testkit';
import { UI } from './ui';

let api: FakeApi;
let ui: UI;

beforeEach(async () => {
  ({ api, ui } = await mount());
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

  it('a conflict of requirements shows the resolver\'s words and the lines to change, not "Try again"', async () => {
    api.emit(Ev.error, err({
      kind: 'dependencies', title: 'The requirements of Sales cannot be installed together',
      message: 'Because you require pandas==2.2.3 and streamlit==1.51.0 depends on pandas<2.2, your requirements are unsatisfiable.',
      detail: 'Change one of these requirements so that they agree:\n  pandas==2.2.3 (requirements.txt line 2)',
      file: '/p/requirements.txt', folder: '/p', actions: ['edit_deps', 'open_folder', 'reopen'],
    }));
    expect(q('.err-message.explanation')!.textContent).toContain('depends on pandas<2.2');
    expect(q('pre.detail')!.textContent).toContain('requirements.txt line 2'); // shown, not folded away
    expect(q('details')).toBeNull();
    expect(text()).not.toContain('resumes where it stopped');
    expect(button('Try again')).toBeUndefined();
    for (const [label, action] of [['Edit requirements', 'edit_deps'], ['Open folder', 'open_folder'], ['Open again', 'reopen']]) {
      button(label)!.click();
      await flush();
      expect(api.calls).toContain('act:' + action);
    }
  });

  it('a pin that did not build from its source says what to change, without the resolver\'s line', async () => {
    api.emit(Ev.error, err({
      kind: 'dependencies', title: 'pandas 1.1.5 could not be installed',
      message: 'Demo needs pandas==1.1.5 (requirements.txt line 4), which has no wheel for Python 3.11 on this system, and building it from its source failed (the build\'s output is in the log). Allow a newer release made for Python 3.11 in requirements.txt (pandas>=1.1.5,<2, which keeps the major version the file\'s other pins were made with; or no version), and likewise any other pin of that age.',
      file: '/p/requirements.txt', folder: '/p', actions: ['edit_deps', 'open_folder', 'reopen'],
    }));
    expect(text()).toContain('pandas>=1.1.5,<2');
    expect(text()).not.toContain('the requirements themselves disagree');
    expect(button('Edit requirements')).toBeDefined();
  });

  it('a Git dependency not fetched says why, not that the requirements disagree', async () => {
    api.emit(Ev.error, err({
      kind: 'dependencies', title: 'A package Graphs installs from Git could not be fetched',
      message: 'Graphs needs git+https://github.com/o/mock.git (requirements.txt line 2), which is installed from its Git repository, and the repository could not be fetched (git: Could not resolve host: github.com): connect to the internet and open the app again, or replace that line with the package\'s name and version and put its wheel in /p/wheels.',
      file: '/p/requirements.txt', folder: '/p', actions: ['edit_deps', 'open_folder', 'reopen'],
    }));
    expect(text()).toContain('Could not resolve host: github.com');
    expect(text()).not.toContain('the requirements themselves disagree');
  });

  it('a missing package or Git says how to go on, without "it resumes where it stopped"', async () => {
    api.emit(Ev.error, err({
      kind: 'runtime_build', title: 'A package Graphs installs from Git could not be fetched',
      message: 'Graphs needs git+https://github.com/o/mock.git, which is installed from its Git repository, and Git is not installed: install Git (https://git-scm.com/downloads; on Windows `winget install Git.Git`), then open the app again.',
      actions: ['retry', 'open_logs'],
    }));
    expect(text()).toContain('winget install Git.Git');
    expect(text()).not.toContain('resumes where it stopped');
  });

  it('several scripts: one button per script', async () => {
    api.emit(Ev.error, err({
      kind: 'choose_script', title: '', message: 'streamlit-hello holds several Streamlit scripts.', folder: '/p/hello',
      actions: ['script:0_👋_Hello.py', 'script:explore.py', 'open_app'],
    }));
    expect(q('.error-card h1')!.textContent).toBe('Which script is the app?');
    expect(button('Show logs')).toBeUndefined();
    button('0_👋_Hello.py')!.click();
    await flush();
    expect(api.calls).toContain('act:script:0_👋_Hello.py');
    expect(view()).not.toBe('error');
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

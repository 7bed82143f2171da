// The component's DOM, built with createElement and textContent only (no HTML from data), and
// styled by classes and CSS variables (the server's CSP allows no inline style markup).
import { displayName, formatRemaining, type SessionAnswer } from "./payload";

export interface Action {
  label: string;
  action: string;
  [key: string]: unknown;
}

export interface ViewState {
  phase: "connecting" | "ready" | "unavailable";
  session: SessionAnswer | null;
  busy: "login" | "logout" | null;
  error: string | null;
  actions: Action[];
  disabled: boolean;
  /** The app asked for a new sign-in (its API refused the token): offered even when signed in. */
  signinRequired?: boolean;
}

export interface ViewHandlers {
  onLogin(): void;
  onLogout(): void;
  onAction(a: Action): void;
}

export class View {
  private readonly status: HTMLElement;
  private readonly who: HTMLElement;
  private readonly expiry: HTMLElement;
  private readonly countdown: HTMLTimeElement;
  private readonly expiryLabel: Text;
  private readonly button: HTMLButtonElement;
  private readonly actions: HTMLElement;
  private readonly error: HTMLElement;
  private state: ViewState | null = null;

  constructor(private readonly root: HTMLElement, private readonly handlers: ViewHandlers) {
    root.classList.add("dl");
    root.replaceChildren();

    const info = el("div", "dl-info");
    this.status = el("p", "dl-status");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.who = el("p", "dl-who");
    this.expiry = el("p", "dl-expiry");
    this.countdown = document.createElement("time");
    this.countdown.className = "dl-countdown";
    this.expiryLabel = document.createTextNode("Token expires in ");
    this.expiry.append(this.expiryLabel, this.countdown);
    info.append(this.status, this.who, this.expiry);

    const controls = el("div", "dl-controls");
    this.actions = el("div", "dl-actions");
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "dl-button";
    this.button.addEventListener("click", () => {
      const s = this.state;
      if (!s || s.busy || s.disabled) return;
      if (s.session?.signed_in && !s.signinRequired) this.handlers.onLogout();
      else this.handlers.onLogin();
    });
    controls.append(this.actions, this.button);

    this.error = el("p", "dl-error");
    this.error.setAttribute("role", "alert");

    const row = el("div", "dl-row");
    row.append(info, controls);
    root.append(row, this.error);
  }

  render(s: ViewState, now: number): void {
    this.state = s;
    const signedIn = !!s.session?.signed_in && !!s.session.user;
    const again = signedIn && !!s.signinRequired;
    this.root.dataset.state = again ? "signin-required" : signedIn ? "signed-in" : s.phase === "ready" ? "signed-out" : s.phase;

    let status: string;
    if (s.phase === "unavailable") status = "Session unavailable";
    else if (s.phase === "connecting" && !s.session) status = "Connecting to Desklit…";
    else if (again) status = `The app's API refused the session of ${displayName(s.session!.user!)}: sign in again`;
    else if (signedIn) status = `Signed in as ${displayName(s.session!.user!)}`;
    else status = "Not signed in";
    setText(this.status, status);

    if (signedIn && s.session!.user!.email && s.session!.user!.name) {
      setText(this.who, s.session!.user!.email!);
      this.who.hidden = false;
    } else {
      this.who.hidden = true;
    }

    const expiry = signedIn ? s.session!.expiry : undefined;
    if (expiry) {
      this.countdown.dateTime = expiry;
      this.countdown.title = new Date(expiry).toLocaleString();
      this.expiry.hidden = false;
      this.tick(now);
    } else {
      this.expiry.hidden = true;
    }

    this.button.disabled =
      s.busy !== null || s.disabled || s.phase === "unavailable" || (s.phase === "connecting" && !s.session);
    if (s.busy === "login") setText(this.button, "Signing in…");
    else if (s.busy === "logout") setText(this.button, "Signing out…");
    else setText(this.button, again ? "Sign in again" : signedIn ? "Log out" : "Log in");
    this.button.setAttribute("aria-busy", String(s.busy !== null));

    this.actions.replaceChildren(
      ...(signedIn ? s.actions : []).map((a) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "dl-button dl-secondary";
        b.textContent = a.label;
        b.disabled = s.disabled || s.busy !== null;
        b.addEventListener("click", () => this.handlers.onAction(a));
        return b;
      }),
    );

    setText(this.error, s.error ?? "");
    this.error.hidden = !s.error;
  }

  /** tick updates only the countdown; it is outside the live region, so it is not announced. */
  tick(now: number): void {
    const expiry = this.countdown.dateTime;
    if (!expiry || this.expiry.hidden) return;
    const left = Date.parse(expiry) - now;
    const label = left > 0 ? "Token expires in " : "Token ";
    if (this.expiryLabel.data !== label) this.expiryLabel.data = label;
    setText(this.countdown, formatRemaining(left));
    this.expiry.classList.toggle("dl-expired", left <= 0);
    this.expiry.classList.toggle("dl-soon", left > 0 && left < 5 * 60 * 1000);
  }
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}

function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

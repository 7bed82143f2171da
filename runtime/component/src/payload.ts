// The events the component sends to the Python host (the original Component Auth0 contract).

/** The answer of the component server's GET /api/session (sessionAnswer in app/component, made
 * from the shell's session.View); testdata/session-contract.json pins it and the events below. */
export interface SessionAnswer {
  signed_in: boolean;
  hostname: string;
  api_url?: string;
  user?: { sub: string; name?: string; email?: string };
  access_token?: string;
  id_token?: string;
  token_type?: string;
  scope?: string;
  expiry?: string; // RFC 3339, UTC
  expired?: boolean;
}

export interface SessionInfo {
  user: { user: string; name: string; email: string };
  token: { value: string; value_id_token: string; expiry: string | null };
}

export interface StatusData {
  hostname: string;
  message: string;
  isError: boolean;
  error: string | null;
  sessioninfo: SessionInfo | null;
}

export interface ErrorData {
  message: string;
  error: string;
}

export type ComponentEvent =
  | { event: "onStatusUpdate"; seq: number; data: StatusData }
  | { event: "onActionRequest"; seq: number; data: Record<string, unknown> }
  | { event: "onError"; seq: number; data: ErrorData };

/** displayName is how the view and the status message name the user. */
export function displayName(user: { sub: string; name?: string; email?: string }): string {
  return user.name || user.email || user.sub;
}

/** statusFrom maps the session answer to the onStatusUpdate data. */
export function statusFrom(s: SessionAnswer): StatusData {
  if (!s.signed_in || !s.user) {
    return { hostname: s.hostname, message: "Signed out", isError: false, error: null, sessioninfo: null };
  }
  const message = s.expired
    ? `Signed in as ${displayName(s.user)} (token expired, renewing)`
    : `Signed in as ${displayName(s.user)}`;
  return {
    hostname: s.hostname,
    message,
    isError: false,
    error: null,
    sessioninfo: {
      user: { user: s.user.sub, name: s.user.name ?? "", email: s.user.email ?? "" },
      token: {
        value: s.access_token ?? "",
        value_id_token: s.id_token ?? "",
        expiry: s.expiry ?? null,
      },
    },
  };
}

/** formatRemaining renders a countdown: "59m 12s", "2h 03m", "expired". */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return "expired";
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

// Package component is the component server (`desklit serve component`, 127.0.0.1:3001): it
// serves the built Streamlit sign-in component and the small API the component uses.
//
//	GET  /, /assets/...        the built component (index.html and its assets)
//	POST /api/events/ticket    a one-time ticket for the event stream            [launch secret]
//	GET  /api/events?ticket=   server-sent events: "changed", never a token      [ticket]
//	GET  /api/session          the signed-in session, Cache-Control: no-store   [launch secret]
//	POST /api/login            sign in through the shell                        [launch secret]
//	POST /api/logout           sign out through the shell                       [launch secret]
//	GET  /api/ping             a local liveness answer for the component (no secret)
//	GET  /healthz              {"status":"ok"}
//
// [launch secret] routes answer 403 unless the request is same-origin (Origin absent or this
// server's own origin; Sec-Fetch-Site, when sent, "same-origin") and carries the per-launch
// secret in the X-Desklit-Launch header (compared in constant time).
//
// EventSource cannot send headers, so the event stream is opened with a ticket instead of the
// secret: the component POSTs /api/events/ticket with the header and gets a random, single-use
// ticket that expires after TicketTTL. The secret itself never appears in a URL, and a ticket
// that leaks (a log, a history entry) is already spent. The stream carries no token: a change
// only tells the component to fetch /api/session again.
//
// Every answer carries the security headers: a Content-Security-Policy whose frame-ancestors
// admit only the Streamlit origin, X-Content-Type-Options: nosniff and Referrer-Policy:
// no-referrer. The Host check (httpguard) answers 421 to a foreign Host.
package component

// Package control is the local channel between the shell and the component server.
//
// The shell runs a Server on 127.0.0.1 at a random port, guarded by a random bearer token, and
// hands DESKLIT_CONTROL_URL and DESKLIT_CONTROL_TOKEN to the component process in its
// environment. The component server uses a Client to forward sign-in and sign-out, to learn of
// session changes by server-sent events (push, no polling), and, when the shell has no keyring,
// to read the session that the shell keeps in memory.
//
// The shell also lets `desklit status` ask for the services' states: it enables GET /status with
// a token of its own, and writes the URL and that token to a 0600 file in the run directory
// (EndpointFile) while it runs. That token grants one thing more, which reveals nothing: POST
// /refresh, so that `desklit token` has the running instance refresh a token about to expire
// instead of refreshing it a second time itself (refresh-token rotation punishes two refreshers).
//
// Routes (all but /healthz need "Authorization: Bearer <token>", else 401):
//
//	GET  /healthz   {"status":"ok"}
//	GET  /session   the current session without its refresh token (404 when signed out)
//	GET  /events    text/event-stream: "changed" events that carry nothing (data {})
//	POST /login     signs in through the shell; answers when the sign-in ends
//	POST /logout    signs out through the shell
//	GET  /status    the services' states, restarts, last exit and breaker (the status token)
//	POST /refresh   ?within=SECONDS: refresh the session if it expires within that time, for
//	                `desklit token` (the status token; answers the expiry, never a token)
package control

// Command devharness opens the real Desklit window on a FakeBackend, with a stand-in
// "Streamlit" page that checks what the real one needs inside the window's frame: a cookie
// set by the server, an upload carrying the XSRF header from that cookie, and a websocket.
// It is a development tool (screenshots, manual checks), not part of the product.
//
//	go run -tags desktop,production,webkit2_41 ./app/desktop/internal/devharness -scenario ready
//	go run -tags desktop,production,webkit2_41 ./app/desktop/internal/devharness -signin
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gorilla/websocket"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
	"github.com/desklit/desklit/frontend"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devharness:", err)
		os.Exit(1)
	}
}

func run() error {
	scenario := flag.String("scenario", desktoptest.Ready, "ready|signedin|firstrun|port_in_use|no_python|no_keyring|crash_loop|runtime_build|app_failed|other")
	signin := flag.Bool("signin", false, "open the sign-in window on a stand-in provider page instead")
	pace := flag.Duration("pace", 400*time.Millisecond, "delay between scripted steps")
	current := flag.String("app", "", "the sample app running at start (e.g. "+desktoptest.SalesPath+"; default: the demo)")
	home, _ := os.UserHomeDir()
	state := flag.String("state", filepath.Join(home, ".local", "state", "desklit-devharness", "window.json"), "window state file")
	icon := flag.String("icon", "build/appicon.png", "window icon")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	iconPNG, _ := os.ReadFile(*icon)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: fakeStreamlit(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // closed below
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	base := "http://" + ln.Addr().String()

	if *signin {
		return desktop.RunSigninWindow(base+"/authorize?client_id=desklit-desktop&state=x", desktop.SigninOptions{Icon: iconPNG, Logger: log})
	}
	fb := &desktoptest.FakeBackend{Scenario: *scenario, AppURL: base + "/?desklit_token=fake-launch-secret", Pace: *pace, LogPath: os.TempDir(), Current: *current}
	return desktop.Run(fb, desktop.Options{Assets: frontend.Dist, WindowStatePath: *state, Logger: log, Icon: iconPNG})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return true }}

// fakeStreamlit behaves like Streamlit where a frame could break it: the XSRF cookie (set like
// Tornado does, no SameSite attribute), the upload that echoes it as X-Xsrftoken, the websocket.
func fakeStreamlit() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "_streamlit_xsrf", Value: "2|fake|" + fmt.Sprint(time.Now().UnixNano()), Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	mux.HandleFunc("POST /_stcore/upload_file", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("_streamlit_xsrf")
		if err != nil || c.Value == "" || c.Value != r.Header.Get("X-Xsrftoken") {
			http.Error(w, "xsrf cookie missing or not matching", http.StatusForbidden)
			return
		}
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d", n)
	})
	mux.HandleFunc("GET /_stcore/stream", func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			t, m, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(t, append([]byte("echo: "), m...)); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, idpPage)
	})
	return mux
}

const page = `<!doctype html><html><head><meta charset="utf-8"><title>Stand-in Streamlit</title>
<style>body{font:16px system-ui,sans-serif;margin:0;color:#262730;background:#fff}
.side{position:fixed;left:0;top:0;bottom:0;width:260px;background:#f0f2f6;padding:24px}
.main{margin-left:300px;padding:40px 48px;max-width:760px}h1{font-size:34px;margin:0 0 18px}
.ok{color:#09ab3b}.bad{color:#ff2b2b}.row{margin:10px 0;padding:12px 16px;border:1px solid #e6e9ef;border-radius:8px}
</style></head><body>
<div class="side"><b>Demo app</b><p style="color:#555">A stand-in page used by the window's dev harness.</p></div>
<div class="main"><h1>Sales dashboard</h1>
<div class="row">Cookie: <b id="ck">…</b></div>
<div class="row">Upload with XSRF header: <b id="up">…</b></div>
<div class="row">Websocket: <b id="ws">…</b></div>
<div class="row">Query has launch token: <b id="tok">…</b></div>
<input type="file" id="file"></div>
<script>
const set=(id,ok,t)=>{const e=document.getElementById(id);e.textContent=t;e.className=ok?'ok':'bad'};
const ck=(document.cookie.match(/_streamlit_xsrf=([^;]+)/)||[])[1];
set('ck',!!ck,ck?'readable':'missing');
set('tok',new URLSearchParams(location.search).has('desklit_token'),new URLSearchParams(location.search).has('desklit_token')?'yes':'no');
fetch('/_stcore/upload_file',{method:'POST',headers:{'X-Xsrftoken':ck||''},credentials:'include',body:new Blob(['x'.repeat(1024)])})
 .then(r=>r.text().then(t=>set('up',r.ok,r.ok?'ok ('+t+' bytes)':'HTTP '+r.status+' '+t))).catch(e=>set('up',false,String(e)));
try{const w=new WebSocket('ws://'+location.host+'/_stcore/stream');w.onopen=()=>w.send('hello');
w.onmessage=m=>set('ws',true,'connected ('+m.data+')');w.onerror=()=>set('ws',false,'error')}catch(e){set('ws',false,String(e))}
</script></body></html>`

const idpPage = `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title>
<style>body{font:15px system-ui,sans-serif;background:#f4f5f8;display:grid;place-items:center;min-height:95vh;margin:0}
form{background:#fff;padding:32px;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.1);width:340px}
label{display:block;margin:12px 0 4px}input,select{width:100%;padding:8px;font:inherit;box-sizing:border-box}
button{margin-top:18px;width:100%;padding:10px;background:#3559e0;color:#fff;border:0;border-radius:7px;font:inherit}</style></head>
<body><form><h2>Desklit dev sign-in</h2><label>User</label><select><option>Ada Lovelace (ada@example.com)</option></select>
<label>Password</label><input type="password" value="demo"><button type="button">Sign in</button></form></body></html>`

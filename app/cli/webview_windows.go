package cli

import (
	"golang.org/x/sys/windows/registry"
)

// webView2Client is the WebView2 runtime's client id under EdgeUpdate\Clients, where Microsoft
// documents its version ("pv") to be looked up: per machine (32-bit view on 64-bit Windows) or
// per user.
const webView2Client = `Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}`

// webView2Version is the installed WebView2 runtime's version, "" when there is none.
func webView2Version() string {
	for _, k := range []struct {
		root registry.Key
		path string
	}{
		{registry.LOCAL_MACHINE, `SOFTWARE\WOW6432Node\` + webView2Client},
		{registry.LOCAL_MACHINE, `SOFTWARE\` + webView2Client},
		{registry.CURRENT_USER, `Software\` + webView2Client},
	} {
		key, err := registry.OpenKey(k.root, k.path, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		pv, _, err := key.GetStringValue("pv")
		key.Close()
		if err == nil && pv != "" && pv != "0.0.0.0" {
			return pv
		}
	}
	return ""
}

//go:build !linux

package desktop

// endWebViewHelpers is a no-op: WebView2 and WKWebView end their helpers themselves.
func endWebViewHelpers() {}

//go:build !windows

package cli

// webView2Version: WebView2 is Windows's.
func webView2Version() string { return "" }

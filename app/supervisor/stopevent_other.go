//go:build !windows

package supervisor

// StopRequested is nil outside Windows, where the supervisor's SIGTERM asks for a stop.
func StopRequested() <-chan struct{} { return nil }

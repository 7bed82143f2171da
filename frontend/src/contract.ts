// Generated from app/windowapi/windowapi.go (windowapi.Contract) by
// `go test ./app/windowapi -run TestFrontendContract -update`: do not edit.

/** Actions an ErrorView offers (parameterised ones as "verb:arg"). */
export const Act = {
  Dismiss: "dismiss",
  EditDeps: "edit_deps",
  OpenApp: "open_app",
  OpenFolder: "open_folder",
  OpenLogs: "open_logs",
  Quit: "quit",
  Reopen: "reopen",
  Restart: "restart",
  Retry: "retry",
  Script: "script",
  ShowLogs: "show_logs",
  UsePort: "use_port",
} as const;

/** Error kinds the window explains. */
export const Err = {
  AppFailed: "app_failed",
  ChooseScript: "choose_script",
  CrashLoop: "crash_loop",
  Dependencies: "dependencies",
  NoPython: "no_python",
  Other: "other",
  PortInUse: "port_in_use",
  RuntimeBuild: "runtime_build",
} as const;

/** Service states. */
export const State = {
  Backoff: "Backoff",
  Failed: "Failed",
  Ready: "Ready",
  Starting: "Starting",
  Stopped: "Stopped",
  Stopping: "Stopping",
  Unhealthy: "Unhealthy",
} as const;

export type ActionVerb = (typeof Act)[keyof typeof Act];
export type ErrorKind = (typeof Err)[keyof typeof Err] | '';
export type ServiceState = (typeof State)[keyof typeof State];

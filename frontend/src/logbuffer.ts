// The services' recent log lines, as the logs view shows them: a bounded buffer per service and
// the filter's rule.

export class LogBuffer {
  private lines = new Map<string, string[]>();

  constructor(private max: number) {}

  add(service: string, line: string): void {
    let buf = this.lines.get(service);
    if (!buf) this.lines.set(service, (buf = []));
    buf.push(line);
    if (buf.length > this.max) buf.splice(0, buf.length - this.max);
  }

  /** replace puts the Go side's ring buffer in place of what arrived as events. */
  replace(service: string, lines: string[]): void {
    if (lines.length) this.lines.set(service, lines.slice(-this.max));
  }

  filtered(service: string, filter: string): string[] {
    return (this.lines.get(service) ?? []).filter((l) => lineMatches(l, filter));
  }
}

/** lineMatches: the filter is a case-insensitive substring; an empty one matches every line. */
export function lineMatches(line: string, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return !f || line.toLowerCase().includes(f);
}

// The outcome of one probe, in one line for the log.
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

// The error of the metrics endpoint, apart from the endpoint itself, so that corral can
// tell it without loading the endpoint (and prom-client) when metrics are off.
export type MetricsServerErrorCode = 'METRICS_LISTEN_FAILED';

// The endpoint could not be opened; corral reports it as a startup failure, naming the setting.
export class MetricsServerError extends Error {
  override name = 'MetricsServerError';
  constructor(
    message: string,
    readonly code: MetricsServerErrorCode,
    /** The system error code, e.g. "EADDRINUSE", when there is one. */
    readonly errno: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

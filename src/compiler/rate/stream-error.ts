/** A bad stream (file, column, parameter): reported as `bad-stream` located at the stimulus's source. */
export class StreamError extends Error {
  constructor(message: string, readonly hint?: string, readonly received?: string) {
    super(message);
  }
}

// corral's typed errors: words for people and a code for programs, as Node's errors carry
// err.code, so a caller branches on the code and never on the words.
export class CodedError<Code extends string> extends Error {
  constructor(
    message: string,
    readonly code: Code,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

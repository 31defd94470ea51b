/**
 * Runs operations one at a time, in the order they were asked for; `settled()` waits
 * until none is running or queued. The client's session changes go through one of these.
 */
export class Serial {
  #busy: Promise<void> | undefined;

  run<T>(op: () => Promise<T>): Promise<T> {
    const run = (this.#busy ?? Promise.resolve()).then(op);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#busy = tail;
    void tail.then(() => {
      if (this.#busy === tail) this.#busy = undefined;
    });
    return run;
  }

  async settled(): Promise<void> {
    while (this.#busy) await this.#busy;
  }
}

/** The Svelte store contract (works with `$store` in components and plain `subscribe` in Node). */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/** A minimal writable value; no dependency on svelte so the library also runs in Node. */
export class Value<T> implements Readable<T> {
  private readonly subscribers = new Set<(value: T) => void>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(value: T) {
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const run of [...this.subscribers]) run(value);
  }
  subscribe(run: (value: T) => void): () => void {
    this.subscribers.add(run);
    run(this.value);
    return () => this.subscribers.delete(run);
  }
}

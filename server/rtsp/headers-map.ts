// Case-insensitive, order-preserving RTSP header collection, shared by the server and the browser player.

/** Anything an RtspHeaders can be built from. */
export type RtspHeadersInit =
  | RtspHeaders
  | Iterable<readonly [string, string]>
  | Record<string, string | readonly string[] | undefined>;

interface Field {
  /** The spelling used when the field was first set; kept so replies look like what people typed. */
  name: string;
  values: string[];
}

/**
 * Header names are case-insensitive (RFC 2326 §4.2, by reference to RFC 2616 §4.2), so lookups go
 * through the lower-cased name; repeated fields are kept as separate values because some headers
 * (Transport, RTP-Info, WWW-Authenticate) may legitimately appear more than once.
 */
export class RtspHeaders implements Iterable<[string, string]> {
  // Map keeps insertion order, which is the order fields are serialized in.
  private readonly fields = new Map<string, Field>();

  constructor(init?: RtspHeadersInit) {
    if (init === undefined) return;
    if (init instanceof RtspHeaders || Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) this.append(name, value);
      return;
    }
    for (const [name, value] of Object.entries(init)) {
      if (value === undefined) continue;
      if (typeof value === 'string') this.append(name, value);
      else for (const v of value) this.append(name, v);
    }
  }

  /** First value of the field, or undefined. */
  get(name: string): string | undefined {
    return this.fields.get(name.toLowerCase())?.values[0];
  }

  /** Every value of the field, in the order received; empty when absent. */
  getAll(name: string): string[] {
    const field = this.fields.get(name.toLowerCase());
    return field ? [...field.values] : [];
  }

  has(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  /** Replaces every value of the field with one; keeps its position and first spelling. */
  set(name: string, value: string): this {
    const key = name.toLowerCase();
    const field = this.fields.get(key);
    if (field) field.values = [value];
    else this.fields.set(key, { name, values: [value] });
    return this;
  }

  /** Adds a value after the existing ones. */
  append(name: string, value: string): this {
    const key = name.toLowerCase();
    const field = this.fields.get(key);
    if (field) field.values.push(value);
    else this.fields.set(key, { name, values: [value] });
    return this;
  }

  /** Removes the field; returns whether it was present. */
  delete(name: string): boolean {
    return this.fields.delete(name.toLowerCase());
  }

  /** Number of distinct field names. */
  get size(): number {
    return this.fields.size;
  }

  /** [name, value] pairs in insertion order, one per value, names spelt as first set. */
  *entries(): IterableIterator<[string, string]> {
    for (const field of this.fields.values()) {
      for (const value of field.values) yield [field.name, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Field names in insertion order, as first spelt. */
  *keys(): IterableIterator<string> {
    for (const field of this.fields.values()) yield field.name;
  }

  /** Plain object view (repeated fields joined with ", ", as RFC 2616 §4.2 allows); for logs and tests. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const field of this.fields.values()) out[field.name] = field.values.join(', ');
    return out;
  }
}

// Reader placement: where a new reader of a live path is better served (another process of this machine, another node).

/** How readers reach a node: base URLs without a trailing slash ("rtsp://127.0.0.1:8555", "http://127.0.0.1:8889"). */
export interface NodeUrls {
  rtsp: string;
  http: string;
}

/**
 * Chooses a node for a reader of `path`; undefined serves the reader here. Delivery answers 302 to the
 * node's URL. `host`: the name the client reached this server by (no port), for nodes on this machine.
 */
export interface Placement {
  place(path: string, host: string): NodeUrls | undefined;
}

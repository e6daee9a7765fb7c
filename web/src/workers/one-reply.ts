/**
 * Sends one request to a worker made for it and resolves with its one reply; the worker is
 * ended either way. A worker that fails to load or throws resolves with `failed`.
 */
export function oneReply<Request, Reply>(
  worker: Worker,
  request: Request,
  failed: (message: string) => Reply,
): Promise<Reply> {
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<Reply>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => {
      resolve(failed(event.message || "the worker failed"));
      worker.terminate();
    };
    worker.postMessage(request);
  });
}

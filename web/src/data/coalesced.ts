/**
 * A read that runs once at a time: calls while it runs make one more run after it, not one
 * each, so a burst of events costs two reads. `read` handles its own failures.
 */
export function coalesced(read: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      await read();
    } while (again);
    running = false;
  };
  return () => {
    run();
  };
}

import { type Database, DatabaseUnavailableError } from "../../src/infra/db/database.ts";

/**
 * A database whose statements matching `failing` throw as they do while the server is down;
 * every other statement, and every statement once `failing` is null, reaches the real one.
 */
export class FlakyDatabase {
  failing: RegExp | null = null;
  readonly db: Database;

  constructor(inner: Database) {
    this.db = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (property !== "query") return typeof value === "function" ? value.bind(target) : value;
        return async (text: string, values?: unknown[]) => {
          if (this.failing?.test(text)) {
            throw new DatabaseUnavailableError("connect ECONNREFUSED (test)");
          }
          return target.query(text, values);
        };
      },
    });
  }
}

import {
  type Coordinator,
  CoordinatorUnavailableError,
} from "../../src/infra/coord/coordinator.ts";

/**
 * A coordinator that can be switched off, failing every call as a Valkey client does while its
 * server is down, and that counts calls per method.
 */
export class FlakyCoordinator {
  down = false;
  readonly calls = new Map<string, number>();
  readonly coordinator: Coordinator;

  constructor(inner: Coordinator) {
    this.coordinator = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function" || property === "close") return value;
        return async (...args: unknown[]) => {
          const name = String(property);
          this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
          if (this.down) throw new CoordinatorUnavailableError("connect ECONNREFUSED (test)");
          return value.apply(target, args);
        };
      },
    });
  }

  count(method: keyof Coordinator): number {
    return this.calls.get(method) ?? 0;
  }
}

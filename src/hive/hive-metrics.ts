import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The instance's Prometheus metrics (GET /metrics), one registry per hive instance. */
export class HiveMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "keyforge_hive_requests_total",
    help: "HTTP requests answered, by route and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: "keyforge_hive_request_duration_seconds",
    help: "Time to answer a request, by route.",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: "keyforge_hive_auth_failures_total",
    help: "Requests refused for their credentials (401), by reason (the error code).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly unitsLeased = new Counter({
    name: "keyforge_hive_units_leased_total",
    help: "Units handed to agents.",
    registers: [this.registry],
  });
  readonly results = new Counter({
    name: "keyforge_hive_results_total",
    help: "Submitted results, by outcome (accepted, repeated, rejected code).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly queuedUnits = new Gauge({
    name: "keyforge_hive_queued_units",
    help: "Units waiting for an agent (read at scrape time).",
    registers: [this.registry],
  });
  readonly eventsDelivered = new Counter({
    name: "keyforge_hive_events_delivered",
    help: "Events (snapshots included) written to this instance's event streams.",
    registers: [this.registry],
  });
  readonly eventStreams = new Gauge({
    name: "keyforge_hive_event_streams",
    help: "Open event streams on this instance.",
    registers: [this.registry],
  });
}

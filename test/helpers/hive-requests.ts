import fc from "fast-check";

/** Every route of the hive, with the methods it answers; ":id" segments get random values. */
export const HIVE_ROUTES: readonly (readonly [string, string])[] = [
  ["POST", "/jobs"],
  ["GET", "/jobs"],
  ["GET", "/jobs/:id"],
  ["DELETE", "/jobs/:id"],
  ["POST", "/jobs/:id/retry"],
  ["POST", "/nodes/register"],
  ["POST", "/nodes/:id/token"],
  ["POST", "/nodes/:id/heartbeat"],
  ["POST", "/nodes/:id/goodbye"],
  ["GET", "/cluster"],
  ["POST", "/leases"],
  ["POST", "/units/:id/release"],
  ["POST", "/units/:id/fail"],
  ["POST", "/units/:id/result"],
  ["GET", "/health"],
  ["GET", "/metrics"],
  ["PUT", "/jobs"],
  ["GET", "/nowhere/:id"],
];

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

/** A path segment: ids of the right shapes, junk, traversal and encoding tricks. */
export const pathSegment = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  printable.map(encodeURIComponent),
  fc.constantFrom("..", "%2e%2e", "%00", "%ZZ", "a".repeat(300)),
);

/** Small request bodies: random JSON, text, broken JSON and job-shaped documents. */
export const requestBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom("{", "[]", "null", '{"name":1}', '{"search":{"units":1e400}}'),
  fc
    .record({
      name: fc.string(),
      board: fc.oneof(fc.string(), fc.object()),
      corpora: fc.array(fc.record({ id: fc.string(), weight: fc.double() })),
      search: fc.record({ units: fc.integer(), stepsPerUnit: fc.integer(), pins: fc.string() }),
    })
    .map((value) => JSON.stringify(value)),
);

/** Headers as a careless or hostile client sends them. */
export const requestHeaders = fc.record(
  {
    authorization: fc.oneof(
      printable,
      printable.map((t) => `Bearer ${t}`),
      fc.constantFrom("Bearer kfn.a.b", "Bearer kf_x"),
    ),
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "",
      "application/json; charset=latin1",
    ),
    accept: fc.constantFrom("*/*", "text/event-stream", "application/xml"),
  },
  { requiredKeys: [] },
);

/** A query string, often empty. */
export const requestQuery = fc.oneof(
  fc.constant(""),
  fc
    .dictionary(fc.constantFrom("limit", "cursor", "status", "mine", "x"), printable)
    .map((params) => `?${new URLSearchParams(params).toString()}`),
);

/** Nesting `depth` levels deep, written without recursion. */
function nested(depth: number, open: string, close: string, inner: string): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

/** An inline board of `count` keys in a grid: legal in shape, heavy to compile when large. */
function inlineBoard(count: number): object {
  const fingers = ["pinky", "ring", "middle", "index", "index"];
  return {
    format: "keyforge-board/1",
    name: `grid of ${count}`,
    keys: Array.from({ length: count }, (_, i) => {
      const column = i % 100;
      const row = Math.floor(i / 100);
      return {
        id: `k${i}`,
        x: column,
        y: row,
        row,
        col: column,
        hand: column < 50 ? "left" : "right",
        finger: fingers[column % 5],
        // One home key per finger: the first row's first four columns of each hand.
        home: row === 0 && column % 50 < 4,
        char: String.fromCodePoint(0x4e00 + i),
      };
    }),
  };
}

const extremeNumber = fc.constantFrom(
  "1e308",
  "-1e308",
  "5e-324",
  "1e400",
  "-0",
  "9007199254740993",
  "123456789012345678901234567890",
);

/**
 * Bodies no test suite sends by accident: megabytes of text, JSON nested tens of thousands of
 * levels deep (alone and inside a job), boards of thousands of keys, and extreme numbers in
 * every numeric field of a job.
 */
export const hostileBody = fc.oneof(
  fc.integer({ min: 1, max: 8 }).map((mb) => JSON.stringify({ name: "x".repeat(mb << 20) })),
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => nested(depth, "[", "]", "0")),
  fc
    .integer({ min: 1_000, max: 50_000 })
    .map(
      (depth) =>
        `{"name":"deep","board":${nested(depth, '{"a":', "}", "1")},"corpora":[{"id":"en"}],"search":{"units":1,"stepsPerUnit":10000}}`,
    ),
  fc.integer({ min: 100, max: 9_000 }).map((keys) =>
    JSON.stringify({
      name: "big board",
      board: inlineBoard(keys),
      corpora: [{ id: "en" }],
      search: { units: 1, stepsPerUnit: 10_000, allKeys: true },
    }),
  ),
  fc
    .tuple(extremeNumber, extremeNumber, extremeNumber, extremeNumber)
    .map(
      ([units, steps, seed, weight]) =>
        `{"name":"numbers","board":"corne","corpora":[{"id":"en","weight":${weight}}],"search":{"units":${units},"stepsPerUnit":${steps},"seed":${seed}},"priority":${weight}}`,
    ),
);

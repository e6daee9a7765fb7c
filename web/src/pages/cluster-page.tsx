import { useMemo } from "preact/hooks";
import { formatElapsed } from "../../../src/core/elapsed-text.ts";
import { type ClusterNode, nodeBestScore } from "../../../src/protocol/node-messages.ts";
import { ErrorNote } from "../components/error-note.tsx";
import { HiveApi } from "../data/hive-api.ts";
import { useLiveReading } from "../data/live-reading.ts";
import type { WebConfig } from "../data/web-config.ts";
import "./cluster.css";

/** Agents heartbeat every 5 s: the cluster is read as often, and at once on node events. */
const READ_EVERY_MS = 5000;

const stepsPerSecond = (ips: number) => Math.round(ips).toLocaleString("en-US");

function hardwareOf(node: ClusterNode): string {
  const { hardware } = node;
  if (hardware === null) return "–";
  const threads = hardware.threads === null ? "" : `, ${hardware.threads} search threads`;
  return `${hardware.cpuModel ?? "unknown CPU"}, ${hardware.cores} cores${threads}`;
}

/** The Cluster page: the hive's live nodes, their hardware, speed and units, and the totals. */
export function ClusterPage({ config }: { readonly config: WebConfig }) {
  const api = useMemo(() => new HiveApi(config.api), [config.api]);
  const cluster = useLiveReading(
    () => api.cluster(),
    api.streamUrl("/events"),
    api.base,
    READ_EVERY_MS,
  );
  const value = cluster.value;
  const units = value?.nodes.reduce((sum, node) => sum + node.telemetry.units.length, 0) ?? 0;
  return (
    <main class="cluster">
      <h1>Cluster</h1>
      {cluster.failure !== null && (
        <ErrorNote message={`cannot read the cluster: ${cluster.failure}`} />
      )}
      {value === null && cluster.failure === null && <p class="hint">Reading the cluster…</p>}
      {value && (
        <>
          <dl class="facts">
            <div>
              <dt>live nodes</dt>
              <dd data-total="nodes">{value.liveNodes}</dd>
            </div>
            <div>
              <dt>steps per second</dt>
              <dd data-total="ips">{stepsPerSecond(value.totalIps)}</dd>
            </div>
            <div>
              <dt>units in hand</dt>
              <dd data-total="units">{units}</dd>
            </div>
          </dl>
          {value.nodes.length === 0 ? (
            <p class="hint">No agent is working for this hive now.</p>
          ) : (
            <div class="table-scroll">
              <table class="figures nodes">
                <caption>
                  Live nodes, read every {READ_EVERY_MS / 1000} s
                  {cluster.stream === "open" ? " and at once when one joins or leaves" : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">name</th>
                    <th scope="col">node</th>
                    <th scope="col">hardware</th>
                    <th scope="col">steps/s</th>
                    <th scope="col">units</th>
                    <th scope="col">best score</th>
                    <th scope="col">last heartbeat</th>
                    <th scope="col">CPU temp</th>
                    <th scope="col">memory</th>
                    <th scope="col">refused results</th>
                  </tr>
                </thead>
                <tbody>
                  {value.nodes.map((node) => (
                    <tr key={node.nodeId} data-node={node.nodeId}>
                      <th scope="row">{node.name ?? "(no name)"}</th>
                      <td>
                        <code title={node.nodeId}>{node.nodeId.slice(0, 12)}</code>
                      </td>
                      <td class="text">{hardwareOf(node)}</td>
                      <td>{stepsPerSecond(node.telemetry.ips)}</td>
                      <td>{node.telemetry.units.length}</td>
                      <td>{nodeBestScore(node)?.toFixed(3) ?? "–"}</td>
                      <td>{formatElapsed(node.secondsSinceHeartbeat * 1000)} ago</td>
                      <td>
                        {node.telemetry.temperatureC === undefined
                          ? "–"
                          : `${node.telemetry.temperatureC.toFixed(0)} °C`}
                      </td>
                      <td>
                        {node.telemetry.memoryMb === undefined
                          ? "–"
                          : `${Math.round(node.telemetry.memoryMb)} MB`}
                      </td>
                      <td>{node.rejectedResults ?? "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </main>
  );
}

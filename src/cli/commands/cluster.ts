import type { Command } from "commander";
import { formatElapsed } from "../../core/elapsed-text.ts";
import { type ClusterNode, nodeBestScore } from "../../protocol/node-messages.ts";
import { HiveApiClient } from "../hive-api-client.ts";
import { formatScore } from "../job-text.ts";
import { printJson, table } from "../output.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

const stepsPerSecond = (ips: number) => Math.round(ips).toLocaleString("en-US");

/** Enough of a node id to tell a cluster's nodes apart; --json has them whole. */
const SHORT_ID_DIGITS = 12;
/** Longest name shown, so that the table stays within 100 columns. */
const NAME_WIDTH = 20;

/** The agent's own --name, cut to fit, with control characters (it comes from afar) replaced. */
function shownName(name: string | null): string {
  if (name === null) return "-";
  const chars = [...name.replace(/\p{Cc}/gu, "?")];
  return chars.length <= NAME_WIDTH
    ? chars.join("")
    : `${chars.slice(0, NAME_WIDTH - 1).join("")}…`;
}

/** The table's columns; `shown` leaves out one no node has anything for. */
const COLUMNS: readonly {
  readonly header: string;
  readonly cell: (node: ClusterNode) => string;
  readonly shown?: (nodes: readonly ClusterNode[]) => boolean;
}[] = [
  { header: "node", cell: (node) => node.nodeId.slice(0, SHORT_ID_DIGITS) },
  { header: "name", cell: (node) => shownName(node.name) },
  { header: "steps/s", cell: (node) => stepsPerSecond(node.telemetry.ips) },
  { header: "units", cell: (node) => String(node.telemetry.units.length) },
  { header: "best", cell: (node) => formatScore(nodeBestScore(node)) },
  {
    header: "heartbeat",
    cell: (node) => `${formatElapsed(node.secondsSinceHeartbeat * 1000)} ago`,
  },
  {
    header: "CPU temp",
    cell: ({ telemetry }) =>
      telemetry.temperatureC === undefined ? "-" : `${telemetry.temperatureC.toFixed(0)} °C`,
    shown: (nodes) => nodes.some((node) => node.telemetry.temperatureC !== undefined),
  },
  {
    header: "memory",
    cell: ({ telemetry }) =>
      telemetry.memoryMb === undefined ? "-" : `${Math.round(telemetry.memoryMb)} MB`,
  },
];

async function showCluster(flags: { hive?: string; json?: boolean }): Promise<void> {
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const cluster = await client.cluster();
  if (flags.json) {
    printJson(cluster);
    return;
  }
  const noun = cluster.liveNodes === 1 ? "node" : "nodes";
  console.log(
    `${cluster.liveNodes} live ${noun}, ${stepsPerSecond(cluster.totalIps)} steps/s in all`,
  );
  if (cluster.nodes.length === 0) return;
  const columns = COLUMNS.filter((column) => column.shown?.(cluster.nodes) ?? true);
  console.log(
    `\n${table([
      columns.map((column) => column.header),
      ...cluster.nodes.map((node) => columns.map((column) => column.cell(node))),
    ])}`,
  );
}

export function registerClusterCommand(program: Command): void {
  program
    .command("cluster")
    .description(
      "show a hive's live nodes: name, search speed, units in hand, best score, last heartbeat",
    )
    .option("--json", "print the cluster as the hive serves it (JSON, with whole node ids)")
    .option(...HIVE_FLAG)
    .action(showCluster);
}

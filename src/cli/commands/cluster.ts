import type { Command } from "commander";
import { HiveApiClient } from "../hive-api-client.ts";
import { printJson, table } from "../output.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

const stepsPerSecond = (ips: number) => Math.round(ips).toLocaleString("en-US");

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
  console.log(
    `\n${table([
      ["node", "steps/s", "units", "best of its units", "temperature", "memory"],
      ...cluster.nodes.map(({ nodeId, telemetry }) => {
        const scores = telemetry.units.flatMap((unit) =>
          unit.bestScore === undefined ? [] : [unit.bestScore],
        );
        return [
          nodeId,
          stepsPerSecond(telemetry.ips),
          String(telemetry.units.length),
          scores.length > 0 ? Math.min(...scores).toFixed(3) : "-",
          telemetry.temperatureC === undefined ? "-" : `${telemetry.temperatureC.toFixed(0)} °C`,
          telemetry.memoryMb === undefined ? "-" : `${Math.round(telemetry.memoryMb)} MB`,
        ];
      }),
    ])}`,
  );
}

export function registerClusterCommand(program: Command): void {
  program
    .command("cluster")
    .description("show a hive's live nodes and their speed")
    .option("--json", "print the cluster as the hive serves it (JSON)")
    .option(...HIVE_FLAG)
    .action(showCluster);
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { joinInstructions } from "../../src/cli/join-instructions.ts";

const ports = { hivePort: 3000, assetsPort: 3001 };

describe("joinInstructions", () => {
  it("on every interface: the machine's address, the secret copied as a private file", () => {
    const lines = joinInstructions({
      host: "0.0.0.0",
      ...ports,
      secretFile: "/home/ada/.keyforge/hive-secret",
      addresses: ["192.0.2.7", "198.51.100.3"],
    });
    const text = lines.join("\n");
    assert.match(text, /this one is also 198\.51\.100\.3/);
    assert.match(text, /scp \/home\/ada\/\.keyforge\/hive-secret <machine>:\.keyforge-hive-secret/);
    assert.match(text, /chmod 600 \.keyforge-hive-secret/);
    assert.match(
      text,
      /HIVE_SECRET_FILE=~\/\.keyforge-hive-secret keyforge agent \\\n\s+--hive http:\/\/192\.0\.2\.7:3000 --assets http:\/\/192\.0\.2\.7:3001$/,
    );
  });

  it("on one address, IPv6 included: that address, bracketed in URLs", () => {
    const text = joinInstructions({ host: "2001:db8::5", ...ports, secretFile: "/s" }).join("\n");
    assert.match(
      text,
      /--hive http:\/\/\[2001:db8::5\]:3000 --assets http:\/\/\[2001:db8::5\]:3001/,
    );
  });

  it("a secret from HIVE_SECRET is never printed, only where to put it", () => {
    const text = joinInstructions({ host: "192.0.2.7", ...ports, secretFile: undefined }).join(
      "\n",
    );
    assert.match(
      text,
      /put the value of HIVE_SECRET in ~\/\.keyforge-hive-secret, readable by you only/,
    );
  });

  it("on loopback: this machine's command, and how to open the hive to others", () => {
    const text = joinInstructions({ host: "127.0.0.1", ...ports, secretFile: "/s" }).join("\n");
    assert.match(
      text,
      /HIVE_SECRET_FILE=\/s keyforge agent \\\n\s+--hive http:\/\/127\.0\.0\.1:3000/,
    );
    assert.match(
      text,
      /other machines cannot reach 127\.0\.0\.1: to let them join, start again with\n--host 0\.0\.0\.0/,
    );
  });

  it("with no reachable address, a placeholder rather than a wrong one", () => {
    const text = joinInstructions({ host: "::", ...ports, secretFile: "/s", addresses: [] }).join(
      "\n",
    );
    assert.match(text, /--hive http:\/\/<this machine's address>:3000/);
  });

  it("with a join token: the volunteers' command names the token file, never the secret", () => {
    const text = joinInstructions({
      host: "0.0.0.0",
      ...ports,
      secretFile: "/s",
      addresses: ["192.0.2.7"],
      joinToken: {
        file: "/home/ada/.keyforge/join-token",
        maxUses: 10,
        expiresAt: new Date("2026-12-13T06:27:00Z"),
      },
    }).join("\n");
    assert.match(
      text,
      /volunteers join with a join token instead \(10 nodes, until 2026-12-13 06:27 UTC\)/,
    );
    assert.match(text, /send them the file \/home\/ada\/\.keyforge\/join-token/);
    const volunteers = text.slice(text.indexOf("volunteers"));
    assert.match(
      volunteers,
      /KEYFORGE_JOIN_TOKEN_FILE=join-token keyforge agent \\\n\s+--hive http:\/\/192\.0\.2\.7:3000 --assets http:\/\/192\.0\.2\.7:3001/,
    );
    assert.doesNotMatch(volunteers, /HIVE_SECRET/);
  });
});
